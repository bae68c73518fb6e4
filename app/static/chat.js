(() => {
  const light = () => document.body && document.body.classList.remove("dark");
  light();
  if (document.body) new MutationObserver(light).observe(document.body, {attributes: true, attributeFilter: ["class"]});
})();
