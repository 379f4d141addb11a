// The page nslabd --http serves at `/`: the diagram's SVG, drawn again whenever nslabd's event
// stream reports a change. Plain HTML and a few lines of script: no framework, nothing fetched
// from elsewhere.

/**
 * The page; `nonce` lets its one script run while the Content-Security-Policy keeps anything
 * else (an attribute in the inserted SVG, say) from running. Pure.
 */
export function diagramPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nslab diagram</title>
<style>
  body { margin: 0; font: 14px/1.4 "DejaVu Sans", Verdana, sans-serif; color: #1e293b; background: #f8fafc; }
  header { display: flex; gap: 1em; align-items: center; padding: 0.6em 1em; background: #0f172a; color: #e2e8f0; }
  header h1 { font-size: 16px; margin: 0; font-weight: 600; }
  #status { flex: 1; font-size: 12px; color: #94a3b8; }
  button { font: inherit; font-size: 12px; padding: 0.2em 0.8em; }
  main { padding: 1em; overflow: auto; }
  #diagram svg { max-width: 100%; height: auto; background: white; border: 1px solid #e2e8f0; border-radius: 6px; }
</style>
</head>
<body>
<header><h1>nslab diagram</h1><span id="status">loading…</span><button id="redraw" type="button">redraw</button></header>
<main><div id="diagram" data-version="0"></div></main>
<script nonce="${nonce}">
"use strict";
const box = document.getElementById('diagram');
const status = document.getElementById('status');
let version = 0, timer = null, live = false;
const say = (s) => { status.textContent = s; };
async function draw(why) {
  try {
    const r = await fetch('/v1/diagram', { cache: 'no-store' });
    if (!r.ok) throw new Error('nslabd answered ' + r.status);
    box.innerHTML = await r.text();
    box.dataset.version = String(++version);
    say((live ? 'live' : 'not following events') + ' · drawn ' + new Date().toLocaleTimeString() + (why ? ' after ' + why : ''));
  } catch (e) {
    say('could not draw: ' + e.message);
  }
}
// A burst of events (an up of many containers) is drawn once, when it has settled.
const soon = (why) => { clearTimeout(timer); timer = setTimeout(() => draw(why), 250); };
async function follow() {
  try {
    const r = await fetch('/v1/events', { cache: 'no-store' });
    const reader = r.body.getReader();
    const text = new TextDecoder();
    let rest = '';
    live = true;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += text.decode(value, { stream: true });
      const lines = rest.split('\\n');
      rest = lines.pop();
      for (const l of lines) {
        if (!l.trim()) continue;
        let e = {};
        try { e = JSON.parse(l); } catch { /* a line cut short: draw anyway */ }
        soon([e.type, e.name].filter(Boolean).join(' '));
      }
    }
  } catch { /* nslabd went away: try again below */ }
  live = false;
  say('nslabd is not answering; trying again…');
  setTimeout(() => { follow(); draw('reconnect'); }, 2000);
}
document.getElementById('redraw').addEventListener('click', () => draw('redraw'));
draw();
follow();
</script>
</body>
</html>
`;
}
