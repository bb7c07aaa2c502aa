// ghibli-movies page behaviour: search as you type, "updated 12 s ago", poster placeholders.
// The page is complete without it: the search box stays hidden and the fetch time stays absolute.
(function () {
  'use strict';

  // Lower case without accents, as the server folds data-search: "Tenkū" matches "tenku".
  function fold(text) {
    return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
  }

  function setUpSearch() {
    var form = document.querySelector('form.search');
    var input = document.getElementById('search');
    var status = document.getElementById('search-status');
    var noMatch = document.querySelector('.no-match');
    if (!form || !input) {
      return;
    }
    var films = Array.prototype.slice.call(document.querySelectorAll('article.film'));
    var contents = {};
    document.querySelectorAll('nav.contents li[data-film]').forEach(function (item) {
      contents[item.getAttribute('data-film')] = item;
    });

    function apply() {
      var query = fold(input.value);
      var filmCount = 0;
      var peopleCount = 0;
      films.forEach(function (film) {
        var filmMatches = query === '' || film.getAttribute('data-search').indexOf(query) >= 0;
        var shownPeople = 0;
        film.querySelectorAll('ul.people > li').forEach(function (person) {
          var shown = filmMatches || person.getAttribute('data-search').indexOf(query) >= 0;
          person.hidden = !shown;
          if (shown) {
            shownPeople++;
          }
        });
        var shown = filmMatches || shownPeople > 0;
        film.hidden = !shown;
        if (contents[film.id]) {
          contents[film.id].hidden = !shown;
        }
        if (shown) {
          filmCount++;
          peopleCount += shownPeople;
        }
      });
      noMatch.hidden = query === '' || filmCount > 0;
      status.textContent = query === '' ? ''
        : filmCount + (filmCount === 1 ? ' film' : ' films') + ' · ' + peopleCount
          + (peopleCount === 1 ? ' person' : ' people') + ' match';
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
    });
    input.addEventListener('input', apply);
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && input.value !== '') {
        input.value = '';
        apply();
      }
    });
    form.hidden = false;
  }

  function setUpUpdatedAgo() {
    var time = document.querySelector('time[data-relative]');
    if (!time) {
      return;
    }
    var changed = Date.parse(time.getAttribute('datetime'));
    if (isNaN(changed)) {
      return;
    }
    var label = time.parentElement;
    time.title = time.textContent;
    function render() {
      var seconds = Math.max(0, Math.round((Date.now() - changed) / 1000));
      var text = seconds < 90 ? seconds + ' s ago'
        : seconds < 5400 ? Math.round(seconds / 60) + ' min ago'
          : seconds < 172800 ? Math.round(seconds / 3600) + ' h ago'
            : Math.round(seconds / 86400) + ' days ago';
      time.textContent = text;
    }
    label.firstChild.textContent = 'last changed ';
    render();
    window.setInterval(render, 1000);
  }

  function setUpPosters() {
    function missing(image) {
      image.closest('.poster').classList.add('poster-missing');
    }
    document.addEventListener('error', function (event) {
      if (event.target.tagName === 'IMG' && event.target.closest('.poster')) {
        missing(event.target);
      }
    }, true);
    // images that failed before this script ran
    document.querySelectorAll('.poster img').forEach(function (image) {
      if (image.complete && image.naturalWidth === 0 && image.getAttribute('src')) {
        missing(image);
      }
    });
  }

  setUpSearch();
  setUpUpdatedAgo();
  setUpPosters();
}());
