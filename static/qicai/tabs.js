// Sections shown as tabs (the project page): one section at a time, chosen by its tab, by the address's
// #tab-… or, after a refused save, the first section holding an error. Without this script the sections
// follow each other and the tabs are links to them.
"use strict";
(function () {
  function init() {
    const list = document.querySelector("[data-tab-list]");
    if (!list) return;
    const tabs = Array.from(list.querySelectorAll("[role=tab]"));
    const panels = tabs.map((tab) => document.getElementById(tab.getAttribute("aria-controls")));
    document.body.classList.add("tabs-ready");

    function show(index, focus, remember) {
      tabs.forEach((tab, i) => {
        const selected = i === index;
        tab.setAttribute("aria-selected", selected ? "true" : "false");
        tab.tabIndex = selected ? 0 : -1;
        panels[i].hidden = !selected;
      });
      if (focus) tabs[index].focus();
      if (remember) history.replaceState(null, "", "#" + panels[index].id);
    }

    function fromHash() {
      const index = panels.findIndex((panel) => "#" + panel.id === location.hash);
      return index;
    }

    tabs.forEach((tab, i) => {
      tab.addEventListener("click", (event) => {
        event.preventDefault();
        show(i, false, true);
      });
      tab.addEventListener("keydown", (event) => {
        const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: tabs.length - 1 - i };
        if (!(event.key in moves)) return;
        event.preventDefault();
        show((i + moves[event.key] + tabs.length) % tabs.length, true, true);
      });
    });

    const withError = panels.findIndex((panel) => panel.querySelector(".errorlist, .errors"));
    const chosen = withError >= 0 ? withError : fromHash();
    show(chosen >= 0 ? chosen : 0, false, false);
    window.addEventListener("hashchange", () => {
      const index = fromHash();
      if (index >= 0) show(index, false, false);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
