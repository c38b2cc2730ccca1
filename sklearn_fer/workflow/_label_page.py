"""The labelling page ``sklearn-fer label`` serves: one face at a time beside an affect
grid (Russell, Weiss & Mendelsohn 1989), valence across and arousal up, clicked or driven
from the keyboard. Plain HTML and JavaScript, no external resources."""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sklearn-fer: label faces</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
  main { display: flex; gap: 2em; align-items: flex-start; flex-wrap: wrap; }
  #face { width: 288px; height: 288px; border: 1px solid #999; background: #eee;
          object-fit: contain; display: block; }
  #context { width: 288px; margin-top: 6px; border: 1px solid #999; display: block; }
  #context[hidden] { display: none; }
  .caption { color: #666; font-size: 85%; }
  #grid { width: 400px; height: 400px; cursor: crosshair; border: 1px solid #999;
          background: #fafafa; touch-action: none; }
  #grid text { font-size: 12px; fill: #666; pointer-events: none; }
  #status { min-height: 1.4em; margin-top: 0.5em; }
  #status.error { color: #b00; }
  #strip { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 1.5em; max-width: 780px; }
  #strip img { width: 40px; height: 40px; border: 2px solid #ccc; cursor: pointer; }
  #strip img.labelled { border-color: #2a2; }
  #strip img.current { outline: 3px solid #06c; }
  kbd { border: 1px solid #aaa; border-radius: 3px; padding: 0 4px; font-size: 90%; }
  .keys { color: #555; font-size: 90%; line-height: 1.6; }
</style>
</head>
<body>
<h1>Label faces: valence and arousal</h1>
<p>Click where this face lies on the grid: left unpleasant, right pleasant; bottom calm,
top excited. Each click is saved to <code>labels.csv</code> at once.</p>
<main>
  <section>
    <img id="face" alt="face to label">
    <img id="context" alt="the whole frame, the face's box drawn" hidden>
    <div class="caption" id="context-caption" hidden>the whole frame; the box is the face</div>
    <div id="position"></div>
    <div id="progress"></div>
    <label><input type="checkbox" id="advance" checked> next frame after each label</label>
    <div id="status"></div>
  </section>
  <section>
    <svg id="grid" viewBox="0 0 400 400" role="img" aria-label="valence-arousal grid">
      <rect x="200" y="0" width="200" height="200" fill="#fff4e0"/>
      <rect x="0" y="0" width="200" height="200" fill="#fde8e8"/>
      <rect x="0" y="200" width="200" height="200" fill="#e8eefd"/>
      <rect x="200" y="200" width="200" height="200" fill="#e6f6e6"/>
      <line x1="200" y1="0" x2="200" y2="400" stroke="#888"/>
      <line x1="0" y1="200" x2="400" y2="200" stroke="#888"/>
      <text x="6" y="196">unpleasant</text>
      <text x="334" y="196">pleasant</text>
      <text x="206" y="14">excited (arousal +1)</text>
      <text x="206" y="394">calm (arousal -1)</text>
      <circle id="marker" cx="200" cy="200" r="8" fill="#06c" fill-opacity="0.8"
              visibility="hidden"/>
    </svg>
    <div id="value"></div>
    <div class="keys">
      <kbd>&larr;</kbd> <kbd>&rarr;</kbd> previous / next frame &middot;
      <kbd>Space</kbd> next frame not labelled<br>
      <kbd>W</kbd> <kbd>A</kbd> <kbd>S</kbd> <kbd>D</kbd> move the marker by 0.1 &middot;
      <kbd>Enter</kbd> save the marker &middot; <kbd>Backspace</kbd> clear the label
    </div>
  </section>
</main>
<div id="strip"></div>
<script>
"use strict";
let frames = [];
let current = 0;
let cursor = null;  // the marker's [valence, arousal] before it is saved

const $ = (id) => document.getElementById(id);
const labelled = (f) => f.valence !== null && f.arousal !== null;
const clamp = (v) => Math.max(-1, Math.min(1, Math.round(v * 1000) / 1000));

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function showMarker(valence, arousal) {
  const marker = $("marker");
  if (valence === null) {
    marker.setAttribute("visibility", "hidden");
    $("value").textContent = "";
    return;
  }
  marker.setAttribute("cx", String(200 + 200 * valence));
  marker.setAttribute("cy", String(200 - 200 * arousal));
  marker.setAttribute("visibility", "visible");
  $("value").textContent = `valence ${valence.toFixed(2)}, arousal ${arousal.toFixed(2)}`;
}

function render() {
  if (!frames.length) { $("position").textContent = "no frames in labels.csv"; return; }
  const frame = frames[current];
  $("face").src = "faces-file/" + encodeURIComponent(frame.path);
  // The frame around the face, when query saved one (a labels.csv made by hand has none).
  $("context").hidden = $("context-caption").hidden = !frame.context;
  if (frame.context) $("context").src = "faces-file/" + encodeURIComponent(frame.context);
  else $("context").removeAttribute("src");
  const when = frame.time_s === null ? "" : ` at ${frame.time_s.toFixed(2)} s`;
  $("position").textContent = `frame ${current + 1} of ${frames.length}${when}` +
    (frame.video ? ` of ${frame.video}` : "");
  const done = frames.filter(labelled).length;
  $("progress").textContent = `${done} of ${frames.length} labelled`;
  cursor = labelled(frame) ? [frame.valence, frame.arousal] : null;
  showMarker(cursor ? cursor[0] : null, cursor ? cursor[1] : null);
  const strip = $("strip");
  strip.querySelectorAll("img").forEach((img, i) => {
    img.className = (labelled(frames[i]) ? "labelled" : "") + (i === current ? " current" : "");
  });
}

function go(index) {
  if (!frames.length) return;
  current = Math.max(0, Math.min(frames.length - 1, index));
  render();
}

function nextUnlabelled() {
  for (let step = 1; step <= frames.length; step++) {
    const i = (current + step) % frames.length;
    if (!labelled(frames[i])) { go(i); return true; }
  }
  return false;
}

async function save(valence, arousal) {
  const frame = frames[current];
  const index = current;
  status("saving...");
  try {
    const response = await fetch("api/label", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({path: frame.path, valence: valence, arousal: arousal}),
    });
    const answer = await response.json();
    if (!response.ok) { status("not saved: " + answer.error, true); return; }
    frames[index].valence = answer.valence;
    frames[index].arousal = answer.arousal;
    status(valence === null ? `cleared ${frame.path}` : `saved ${frame.path}`);
    document.body.dataset.saved = String(Number(document.body.dataset.saved || 0) + 1);
    if (valence !== null && $("advance").checked && index === current) {
      if (!nextUnlabelled()) render();
    } else {
      render();
    }
  } catch (error) {
    status("not saved: the sklearn-fer label server does not answer (" + error + ")", true);
  }
}

$("grid").addEventListener("click", (event) => {
  if (!frames.length) return;
  const box = $("grid").getBoundingClientRect();
  const valence = clamp(2 * (event.clientX - box.left) / box.width - 1);
  const arousal = clamp(1 - 2 * (event.clientY - box.top) / box.height);
  showMarker(valence, arousal);
  save(valence, arousal);
});

document.addEventListener("keydown", (event) => {
  if (event.target.tagName === "INPUT" || !frames.length) return;
  const key = event.key.toLowerCase();
  const moves = {w: [0, 0.1], s: [0, -0.1], a: [-0.1, 0], d: [0.1, 0]};
  if (key === "arrowleft") go(current - 1);
  else if (key === "arrowright") go(current + 1);
  else if (key === " ") { if (!nextUnlabelled()) status("every frame is labelled"); }
  else if (key in moves) {
    cursor = cursor || [0, 0];
    cursor = [clamp(cursor[0] + moves[key][0]), clamp(cursor[1] + moves[key][1])];
    showMarker(cursor[0], cursor[1]);
  }
  else if (key === "enter") { if (cursor) save(cursor[0], cursor[1]); }
  else if (key === "backspace" || key === "delete") save(null, null);
  else return;
  event.preventDefault();
});

async function start() {
  const response = await fetch("api/frames");
  frames = (await response.json()).frames;
  const strip = $("strip");
  frames.forEach((frame, i) => {
    const img = document.createElement("img");
    img.src = "faces-file/" + encodeURIComponent(frame.path);
    img.alt = frame.path;
    img.title = frame.path;
    img.addEventListener("click", () => go(i));
    strip.appendChild(img);
  });
  current = Math.max(0, frames.findIndex((f) => !labelled(f)));
  render();
  document.body.dataset.ready = "1";
}
start();
</script>
</body>
</html>
"""
