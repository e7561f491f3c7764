/*
 * The report's inline stylesheet and script. Both are constants: the page's Content-Security-Policy allows
 * exactly this script (by its SHA-256 hash), so nothing injected through run data can execute even if it
 * escaped the HTML escaping.
 */

/** Inline CSS of the report (system fonts only; light and dark schemes). */
export const REPORT_CSS = `
:root{color-scheme:light dark;--fg:#1d2430;--muted:#5d6778;--bg:#fbfbfd;--card:#fff;--line:#dde1e8;--grid:#eceef3;--ok:#1f8f4e;--bad:#c8372d;--accent:#2f6fdf}
@media (prefers-color-scheme:dark){:root{--fg:#e4e8ef;--muted:#9aa4b5;--bg:#12151b;--card:#1a1e26;--line:#2d333f;--grid:#242a35;--ok:#46c07a;--bad:#ee6a5f;--accent:#6f9cf0}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1360px;margin:0 auto;padding:20px 24px 60px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.sub,.note,.lead{color:var(--muted)}.lead{max-width:900px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{white-space:pre-wrap;word-break:break-word;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px;margin:6px 0;max-height:420px;overflow:auto}
[hidden]{display:none!important}
table.data{border-collapse:collapse;margin:8px 0 16px;background:var(--card);font-variant-numeric:tabular-nums}
table.data th,table.data td{border:1px solid var(--line);padding:5px 9px;text-align:right;white-space:nowrap}
table.data th[scope=row],table.data thead th{text-align:left}
table.data thead th{background:var(--grid);font-weight:600}
td .n{color:var(--muted);font-size:11px;margin-left:6px}
td.up .v{color:var(--ok);font-weight:600}td.down .v{color:var(--bad);font-weight:600}td.flat .v{color:var(--muted)}
td.missing{color:var(--muted);text-align:center}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:-1px}
.warnings{border:1px solid #e0a91a;background:rgba(224,169,26,.12);border-radius:6px;padding:8px 12px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
figure.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
figcaption{display:flex;flex-direction:column;gap:2px;margin-bottom:4px}figcaption .note{font-size:12px}
svg.plot{width:100%;height:auto;display:block}
.grid line{stroke:var(--grid)}.tick{fill:var(--muted);font-size:11px}.axis-label{fill:var(--muted);font-size:12px}
.line{fill:none;stroke-width:2}.dashed{stroke-dasharray:6 4}.band{opacity:.13;stroke:none}.rule{stroke:var(--muted);stroke-dasharray:3 3}
.series.off{display:none}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;margin-top:4px}
.legend-item{border:0;background:none;color:inherit;font:inherit;font-size:12px;cursor:pointer;padding:2px 4px;border-radius:4px}
.legend-item:hover{background:var(--grid)}.legend-item.off{opacity:.4;text-decoration:line-through}
.swatch{display:inline-block;width:18px;border-top:3px solid;margin-right:6px;vertical-align:middle}.swatch.dashed{border-top-style:dashed}
.empty{color:var(--muted);font-style:italic}
.group-picker{display:flex;gap:10px;align-items:center;flex-wrap:wrap;margin:8px 0}
select,.group-picker button{font:inherit;padding:4px 8px;border-radius:6px;border:1px solid var(--line);background:var(--card);color:inherit}
.group-head p{margin:4px 0}.question{font-size:15px;font-weight:600}
.tree-wrap{overflow:auto;background:var(--card);border:1px solid var(--line);border-radius:8px;margin:10px 0}
svg.tree{display:block;font-size:12px}
svg.tree .edge{fill:none;stroke:var(--muted);stroke-width:1.5}svg.tree .branch-edge{stroke:var(--accent);stroke-width:2}
svg.tree .edge-label{fill:var(--accent);font-size:10.5px}
svg.tree .node{cursor:pointer}svg.tree .node text{fill:var(--fg)}
svg.tree .node.correct circle{fill:var(--ok)}svg.tree .node.wrong circle{fill:var(--bad)}svg.tree .prompt rect{fill:var(--muted)}
svg.tree .node:focus{outline:none}svg.tree .node:focus circle,svg.tree .node:hover circle{stroke:var(--fg);stroke-width:2}
details.trajectory{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:6px 0;padding:6px 10px}
details.trajectory>summary{cursor:pointer}
details.trajectory.flash{outline:2px solid var(--accent)}
.badge{font-size:12px;font-weight:600;padding:1px 6px;border-radius:10px;color:#fff}.badge.correct{background:var(--ok)}.badge.wrong{background:var(--bad)}
ol.segments{margin:8px 0 4px;padding-left:24px}
.segment{margin:6px 0}.segment .meta{font-size:12.5px;color:var(--muted)}.segment.shared{opacity:.6}
.segment.tool-result .meta strong{color:var(--accent)}
.branch{color:var(--accent);font-weight:600}
.call{margin:3px 0}.call .tag{display:inline-block;font-size:11px;font-weight:600;background:var(--accent);color:#fff;border-radius:4px;padding:0 5px;margin-right:6px}
details.text>summary{cursor:pointer;color:var(--fg);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
footer{margin-top:40px;color:var(--muted);font-size:12px}
`;

/**
 * Inline script of the report: the group picker, clicking a tree node (or a trajectory link) to open its card,
 * legend buttons that show and hide series, and expand/collapse-all for texts. Plain ES5-style DOM code.
 */
export const REPORT_JS = `
(function () {
  'use strict';
  var select = document.querySelector('[data-testid="group-select"]');
  function showGroup() {
    var views = document.querySelectorAll('[data-testid="group-view"]');
    for (var i = 0; i < views.length; i++) views[i].hidden = views[i].getAttribute('data-group-index') !== select.value;
  }
  if (select) { select.addEventListener('change', showGroup); showGroup(); }
  function open(id) {
    var card = document.getElementById(id);
    if (!card) return;
    card.open = true;
    card.scrollIntoView({ block: 'nearest' });
    card.classList.add('flash');
    setTimeout(function () { card.classList.remove('flash'); }, 1200);
  }
  document.addEventListener('click', function (event) {
    var el = event.target && event.target.closest ? event.target.closest('[data-target],[data-toggle-series],[data-expand]') : null;
    if (!el) return;
    if (el.hasAttribute('data-target')) { event.preventDefault(); open(el.getAttribute('data-target')); return; }
    if (el.hasAttribute('data-toggle-series')) {
      var figure = el.closest('figure');
      var id = el.getAttribute('data-toggle-series');
      var off = el.classList.toggle('off');
      var series = figure ? figure.querySelectorAll('.series') : [];
      for (var i = 0; i < series.length; i++) if (series[i].getAttribute('data-series') === id) series[i].classList.toggle('off', off);
      return;
    }
    var scope = el.closest('[data-testid="group-view"]') || document;
    var texts = scope.querySelectorAll('details.text, details.trajectory');
    for (var j = 0; j < texts.length; j++) texts[j].open = el.getAttribute('data-expand') === 'all';
  });
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    var el = event.target && event.target.closest ? event.target.closest('svg [data-target]') : null;
    if (el) { event.preventDefault(); open(el.getAttribute('data-target')); }
  });
})();
`;
