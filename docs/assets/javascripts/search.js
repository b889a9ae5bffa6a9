/* Search that finds any run of characters a reader types: 强区 finds 人才强区.
 *
 * The search index keeps each run of text between spaces and punctuation whole (see
 * pipeline/search_index.py). Here each term a reader types is asked for with a wildcard in front
 * (the theme adds one behind), so a run that contains it anywhere is found. The theme would
 * first split Chinese terms into the index's own words, keeping only a part of what was typed:
 * writing the characters of a term escaped (强\区) hides them from that step, and the search
 * library reads them back as the characters themselves. The terms a reader writes with search
 * syntax (+, -, *, ~, ^, field:) are left as they are. */
(function () {
  "use strict";
  var QUERY = 2;  // the theme's message type for a query sent to its search worker
  var SYNTAX = /^[+\-]|[*~^:\\]/;
  var HAN = /[\u3400-\u9fff\uf900-\ufaff]/;

  function anywhere(query) {
    return query.split(/(\s+)/).map(function (term) {
      if (!term.trim() || SYNTAX.test(term)) return term;
      var escaped = HAN.test(term) ? Array.from(term).join("\\") : term;
      return "*" + escaped;
    }).join("");
  }

  if (!window.Worker) return;
  var post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message) {
    var args = Array.prototype.slice.call(arguments);
    if (message && message.type === QUERY && typeof message.data === "string") {
      args[0] = { type: QUERY, data: anywhere(message.data) };
    }
    return post.apply(this, args);
  };
  window.searchAnywhere = anywhere;  // for tests
})();
