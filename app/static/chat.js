(() => {
  const light = () => document.body && document.body.classList.remove("dark");
  light();
  if (document.body) new MutationObserver(light).observe(document.body, {attributes: true, attributeFilter: ["class"]});
})();

// Gradio writes some labels in English whatever the browser's language ("chatbot conversation",
// "Select example 1: …", "user's message: <the message's HTML>"), and in an English browser all of
// its own ("Clear", "Like") plus lang="en" on the page. The page is Dutch: say so to screen readers.
(() => {
  const WORDS = {
    "chatbot conversation": "Gesprek",
    "Clear": "Gesprek wissen",
    "Like": "Vind ik leuk",
    "Dislike": "Vind ik niet leuk",
    "Liked": "Vind ik leuk (gegeven)",
    "Disliked": "Vind ik niet leuk (gegeven)",
    "Copy": "Kopiëren",
    "Copied": "Gekopieerd",
    "Copy message": "Bericht kopiëren",
    "Retry": "Opnieuw",
    "Undo": "Ongedaan maken",
    "Edit": "Bewerken",
    "Close": "Sluiten",
    "Scroll down": "Naar beneden",
    "Loading...": "Laden…",
    "Gradio footer navigation": "Voettekst",
  };
  const EXAMPLE = /^Select example (\d+): /;
  const MESSAGE = /^(user|bot|assistant)'s message: /;
  const ATTRS = ["aria-label", "title"];

  const dutch = (el, value) => {
    if (Object.prototype.hasOwnProperty.call(WORDS, value)) return WORDS[value];
    if (EXAMPLE.test(value)) return value.replace(EXAMPLE, "Voorbeeldvraag $1: ");
    const who = MESSAGE.exec(value);
    if (who) {
      // The message as it reads, not its HTML.
      const text = (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 500);
      return `${who[1] === "user" ? "Uw vraag" : "Antwoord van Bronwijzer"}: ${text}`;
    }
    return null;
  };
  const fix = (el) => {
    for (const attr of ATTRS) {
      const value = el.getAttribute && el.getAttribute(attr);
      if (!value) continue;
      const better = dutch(el, value);
      if (better !== null && better !== value) el.setAttribute(attr, better);
    }
  };
  const fixAll = (root) => {
    if (root.nodeType !== 1) return;
    fix(root);
    root.querySelectorAll("[aria-label], [title]").forEach(fix);
  };
  const keepDutch = () => {
    if (document.documentElement.getAttribute("lang") !== "nl") document.documentElement.setAttribute("lang", "nl");
  };
  keepDutch();
  fixAll(document.documentElement);
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "attributes") {
        if (change.target === document.documentElement && change.attributeName === "lang") keepDutch();
        else fix(change.target);
      } else {
        change.addedNodes.forEach(fixAll);
      }
    }
  }).observe(document.documentElement, {subtree: true, childList: true, attributes: true, attributeFilter: [...ATTRS, "lang"]});
})();
