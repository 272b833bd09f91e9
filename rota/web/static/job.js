// A solve's page: live figures, two small charts and the list of improvements, fed by the
// server's events; when the rota is ready the page reloads to show it. Plain JS and SVG.
(function () {
  'use strict';
  var box = document.getElementById('progress');
  var SVG = 'http://www.w3.org/2000/svg';
  var WORDS = { greedy: 'First rota', insertion: 'Another starting rota', 'cp-sat': 'Rota found by the search', lns: 'Better rota found' };
  var points = [];
  var limit = box ? Number(box.dataset.limit) : 0;

  function text(id, value) { var el = document.getElementById(id); if (el) el.textContent = value; }
  function num(n) { return n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-GB'); }
  function pct(x) { return x === null || x === undefined ? '–' : 'at most ' + (100 * x).toFixed(1) + '%'; }

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  // One chart: a step line of one figure against seconds, axes labelled at both ends.
  function chart(id, key, fixedMax) {
    var svg = document.getElementById(id);
    if (!svg) return;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var data = points.filter(function (p) { return p[key] !== null && p[key] !== undefined; });
    var W = 360, H = 150, L = 44, R = 10, T = 10, B = 24;
    var tmax = Math.max(limit, data.length ? data[data.length - 1].elapsed : 1, 1);
    var values = data.map(function (p) { return p[key]; });
    var vmax = fixedMax || (values.length ? Math.max.apply(null, values) : 1);
    var vmin = values.length ? Math.min.apply(null, values) : 0;
    if (!fixedMax) { var pad = Math.max(1, (vmax - vmin) * 0.15); vmin -= pad; vmax += pad; }
    else { vmin = Math.max(0, Math.min(vmin, vmax) - Math.max(2, (vmax - vmin) * 0.5)); }
    if (vmax === vmin) vmax = vmin + 1;
    function x(t) { return L + (W - L - R) * t / tmax; }
    function y(v) { return T + (H - T - B) * (1 - (v - vmin) / (vmax - vmin)); }
    [0.5].forEach(function (f) { el('line', { x1: L, x2: W - R, y1: T + (H - T - B) * f, y2: T + (H - T - B) * f, 'class': 'grid' }, svg); });
    el('line', { x1: L, x2: L, y1: T, y2: H - B, 'class': 'axis' }, svg);
    el('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, 'class': 'axis' }, svg);
    el('text', { x: L - 4, y: T + 8, 'text-anchor': 'end' }, svg).textContent = num(vmax);
    el('text', { x: L - 4, y: H - B, 'text-anchor': 'end' }, svg).textContent = num(vmin);
    el('text', { x: L, y: H - 8 }, svg).textContent = '0 s';
    el('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }, svg).textContent = Math.round(tmax) + ' s';
    if (!data.length) return;
    var d = 'M' + x(data[0].elapsed) + ',' + y(data[0][key]);
    for (var i = 1; i < data.length; i++) {
      d += ' H' + x(data[i].elapsed) + ' V' + y(data[i][key]);
    }
    var last = data[data.length - 1];
    var now = box.dataset.live === 'yes' ? Math.max(last.elapsed, Number(box.dataset.elapsed || 0)) : last.elapsed;
    d += ' H' + x(Math.min(now, tmax));
    el('path', { d: d, 'class': 'series' }, svg);
    data.forEach(function (p) { el('circle', { cx: x(p.elapsed), cy: y(p[key]), r: 2.5, 'class': 'dot' }, svg); });
  }

  function draw() {
    var referrals = points.length ? points[points.length - 1].referrals : 0;
    chart('chart-placed', 'placed', referrals);
    chart('chart-travel', 'travel', 0);
  }

  function logRow(p) {
    var body = document.querySelector('#log tbody');
    if (!body) return;
    var row = document.createElement('tr');
    row.className = 'improvement';
    var cells = [p.elapsed.toFixed(1) + ' s'];
    if (document.querySelector('#log th:nth-child(2)').textContent === 'Run') cells.push(p.run);
    cells.push(WORDS[p.source] || 'Rota found', p.placed + ' of ' + p.referrals, num(p.travel), pct(p.gap));
    cells.forEach(function (c) { var td = document.createElement('td'); td.textContent = c; row.appendChild(td); });
    body.insertBefore(row, body.firstChild);
  }

  function show(p) {
    points.push(p);
    text('placed', p.placed);
    text('referrals', 'of ' + p.referrals);
    text('travel', num(p.travel));
    text('gap', pct(p.gap));
    logRow(p);
    draw();
  }

  function tick(elapsed) {
    box.dataset.elapsed = elapsed;
    text('elapsed', elapsed.toFixed(1) + ' s');
    var bar = document.getElementById('timebar');
    if (bar && limit) bar.style.width = Math.min(100, 100 * elapsed / limit) + '%';
    draw();
  }

  // A finished solve: its history, drawn once.
  if (box && box.dataset.live !== 'yes') {
    JSON.parse(document.getElementById('progress-data').textContent).forEach(show);
  }

  // A live one: the server replays the history, then sends each new line as it comes.
  if (box && box.dataset.live === 'yes' && window.EventSource) {
    var source = new EventSource(box.dataset.events);
    var first = null;
    source.addEventListener('progress', function (e) { show(JSON.parse(e.data)); });
    source.addEventListener('tick', function (e) { tick(JSON.parse(e.data).elapsed); });
    source.addEventListener('status', function (e) {
      var s = JSON.parse(e.data);
      text('status', s.text);
      var status = document.getElementById('status');
      status.dataset.status = s.status;
      if (first === null) first = s.status;
      var stop = document.getElementById('stop');
      if (stop) {
        stop.disabled = s.status === 'stopping' || s.status === 'writing';
        stop.textContent = s.status === 'queued' ? 'Cancel' : 'Stop and keep the best rota';
      }
      var steps = document.getElementById('steps');
      if (steps && s.steps) {
        steps.innerHTML = '';
        s.steps.forEach(function (t) { var li = document.createElement('li'); li.textContent = t; steps.appendChild(li); });
      }
      // The rota exists from 'writing' on: show it (the downloads follow).
      if (s.status !== first && (s.status === 'writing' || s.status === 'done' ||
          s.status === 'failed' || s.status === 'cancelled')) {
        source.close();
        window.location.reload();
      }
    });
    source.addEventListener('end', function () { source.close(); window.location.reload(); });
  }

  // The rota is shown while its workbooks are written: fetch the download links when ready.
  var writing = document.getElementById('writing');
  if (writing && window.EventSource) {
    var parts = window.location.pathname.split('/');
    var wait = new EventSource('/api/solves/' + parts[parts.length - 1] + '/events');
    wait.addEventListener('end', function () {
      wait.close();
      fetch(window.location.href, { credentials: 'same-origin' }).then(function (r) { return r.text(); }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        ['downloads', 'status'].forEach(function (id) {
          var fresh = doc.getElementById(id), old = document.getElementById(id);
          if (fresh && old) old.replaceWith(fresh);
        });
      });
    });
  }
})();
