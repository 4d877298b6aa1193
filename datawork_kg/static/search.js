/* datawork-kg search box for the static site: the same matching as datawork_kg/search.py.
   A name matches when every word of the query begins a word of one of its labels (case and accents
   folded); exact names first, then names that begin with the query, then the rest; shorter first. */
(function () {
  "use strict";
  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^0-9a-z]+/g, " ").trim();
  }
  function rank(query, words, key) {
    if (key === query) return 0;
    if (key.indexOf(query) === 0) return 1;
    var keyWords = key.split(" ");
    for (var i = 0; i < words.length; i++) {
      var ok = false;
      for (var j = 0; j < keyWords.length; j++) {
        if (keyWords[j].indexOf(words[i]) === 0) { ok = true; break; }
      }
      if (!ok) return -1;
    }
    return 2;
  }
  function search(items, text, limit) {
    var query = fold(text);
    if (!query) return [];
    var words = query.split(" "), found = [];
    items.forEach(function (item) {
      var best = null;
      item[3].forEach(function (key) {
        var r = rank(query, words, key);
        if (r >= 0 && (best === null || r < best[0] || (r === best[0] && key.length < best[1]))) best = [r, key.length];
      });
      if (best !== null) found.push([best[0], best[1], fold(item[1]), item[0], item]);
    });
    found.sort(function (a, b) {
      for (var k = 0; k < 4; k++) { if (a[k] < b[k]) return -1; if (a[k] > b[k]) return 1; }
      return 0;
    });
    return found.slice(0, limit).map(function (f) { return f[4]; });
  }
  window.dataworkSearch = { fold: fold, search: search };
})();
