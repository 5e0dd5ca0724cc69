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

// The language switch links to the page as it was loaded; after htmx has
// changed the search in place, it follows the address as it is now, so
// switching keeps the reader's filters.
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('.ui-langs a[hreflang]');
    if (!link) return;
    var url = new URL(window.location.href);
    url.searchParams.set('lang', link.hreflang);
    link.href = url.pathname + url.search;
  });
})();
// Every htmx request that changes something carries the page's CSRF token
// in the X-CSRF-Token header, also from elements outside a form (a form's
// own hidden csrf field works without JavaScript).
document.addEventListener('htmx:configRequest', function (e) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content && e.detail.verb !== 'get') e.detail.headers['X-CSRF-Token'] = meta.content;
});
