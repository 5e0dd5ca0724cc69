// Progressive enhancement for small screens: the filter panel starts
// folded so results come first, and keeps whatever state the reader gave
// it when htmx swaps the results in. Without JavaScript the panel is open.
(function () {
  'use strict';
  var narrow = window.matchMedia('(max-width: 56rem)');
  var wanted = null; // null: the reader has not toggled the panel yet

  function apply() {
    var panel = document.getElementById('filters-panel');
    if (!panel) return;
    panel.open = wanted !== null ? wanted : !narrow.matches;
    panel.addEventListener('toggle', function () { wanted = panel.open; });
  }

  document.addEventListener('DOMContentLoaded', apply);
  document.addEventListener('htmx:afterSettle', apply);
})();
