"""A LangChain `BaseRetriever` over Bronwijzer's hybrid retrieval, so the index plugs into LangChain chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from rag.types import Passage


def passage_to_document(passage: Passage) -> LCDocument:
    chunk = passage.chunk
    metadata = {
        "document": chunk.document_id,
        "title": chunk.title,
        "section": chunk.section,
        "page": chunk.page,
        "start": chunk.start,
        "end": chunk.end,
        "score": passage.score,
        "rank": passage.rank,
        "publisher": passage.publisher,
        "year": passage.year,
        "url": passage.url,
    }
    return LCDocument(page_content=chunk.text, metadata={k: v for k, v in metadata.items() if v is not None}, id=chunk.id)


class BronwijzerRetriever(BaseRetriever):
    """`retriever.invoke("vraag")` -> LangChain Documents with document, title, section, page, score.

    `k` and `filters` can also be given per call: `retriever.invoke("vraag", k=1)`.

    >>> from rag.pipeline import build
    >>> retriever = BronwijzerRetriever(engine=build().engine, k=5)
    """

    engine: Any
    k: int = 5
    filters: dict | None = None

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: dict | None = None,
    ) -> list[LCDocument]:
        # `k=0` is an error the engine reports, never a silent fall-back to the default.
        passages = self.engine.search(query, k=self.k if k is None else k, filters=filters if filters is not None else self.filters)
        return [passage_to_document(p) for p in passages]
