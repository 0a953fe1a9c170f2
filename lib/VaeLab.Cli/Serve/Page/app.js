// The drawing page of `vaelab serve`. Strokes are recorded on QuickDraw's 256-wide canvas (0-255, y down), each point
// with the milliseconds since the drawing's first point, from pointer events (mouse, pen and touch alike).
"use strict";

const CANVAS_UNITS = 256;
const $ = id => document.getElementById(id);
const canvas = $("canvas");
const context = canvas.getContext("2d");
let strokes = [];
let current = null;
let started = null;
let runs = [];

function point(event) {
  const box = canvas.getBoundingClientRect();
  const clamp = v => Math.min(CANVAS_UNITS - 1, Math.max(0, v));
  return [clamp((event.clientX - box.left) / box.width * CANVAS_UNITS), clamp((event.clientY - box.top) / box.height * CANVAS_UNITS)];
}

canvas.addEventListener("pointerdown", event => {
  event.preventDefault();
  canvas.setPointerCapture(event.pointerId);
  started ??= performance.now();
  current = { x: [], y: [], t: [] };
  strokes.push(current);
  addPoint(event);
});
canvas.addEventListener("pointermove", event => {
  if (!current) return;
  // Coalesced events keep a fast pen's intermediate points, which a single move event would drop.
  for (const e of event.getCoalescedEvents ? event.getCoalescedEvents() : [event]) addPoint(e);
});
for (const type of ["pointerup", "pointercancel"]) canvas.addEventListener(type, () => { current = null; });

function addPoint(event) {
  const [x, y] = point(event);
  current.x.push(Math.round(x * 10) / 10);
  current.y.push(Math.round(y * 10) / 10);
  current.t.push(Math.round(performance.now() - started));
  redraw();
}

function redraw() {
  context.clearRect(0, 0, canvas.width, canvas.height);
  drawStrokes(context, strokes, canvas.width / CANVAS_UNITS, "#222");
  const points = strokes.reduce((n, s) => n + s.x.length, 0);
  $("points").textContent = `${strokes.length} strokes, ${points} points`;
}

function drawStrokes(ctx, list, scale, color, width = 3) {
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.lineCap = ctx.lineJoin = "round";
  for (const s of list) {
    ctx.beginPath();
    s.x.forEach((x, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, x * scale, s.y[i] * scale));
    if (s.x.length === 1) ctx.lineTo(s.x[0] * scale + 0.5, s.y[0] * scale);
    ctx.stroke();
  }
}

$("undo").addEventListener("click", () => { strokes.pop(); redraw(); });
$("clear").addEventListener("click", () => { strokes = []; started = null; redraw(); });
$("temperature").addEventListener("input", () => { $("temperature-value").textContent = $("temperature").value; });

function showMessage(text) {
  $("message").textContent = text;
  $("message").hidden = !text;
}

// A problem details answer (RFC 7807) as one line: its title, its detail, and each field's errors.
function describeProblem(status, problem) {
  const parts = [problem.title || `HTTP ${status}`];
  if (problem.detail) parts.push(problem.detail);
  for (const [field, messages] of Object.entries(problem.errors || {})) parts.push(`${field} ${messages.join("; ")}`);
  return parts.join(": ");
}

async function post(path, body) {
  showMessage("");
  let response;
  try {
    response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  } catch (error) {
    showMessage(`The server did not answer (${error.message}): is vaelab serve still running?`);
    return null;
  }
  const answer = await response.json().catch(() => ({}));
  if (response.ok) return answer;
  showMessage(describeProblem(response.status, answer));
  return null;
}

// Each click draws anew, as a person poking at a model expects.
function randomSeed() { return Math.floor(Math.random() * 1e6); }

function selectedRun() { return runs.find(r => r.id === $("run").value); }

// The chosen model when it is one this action uses; otherwise the server picks the run's model of that kind.
function modelFor(use) {
  const model = selectedRun()?.models.find(m => m.name === $("model").value);
  return model?.use === use ? model.name : undefined;
}

function showRun() {
  const run = selectedRun();
  $("model").replaceChildren(...(run?.models ?? []).map(m => new Option(`${m.name} (${m.kind})`, m.name)));
  for (const use of ["complete", "classify", "sample"]) $(use).disabled = !run?.uses.includes(use);
}

async function loadRuns() {
  const response = await fetch("api/runs");
  const answer = await response.json();
  if (!response.ok) { showMessage(describeProblem(response.status, answer)); return; }
  runs = answer.runs;
  $("run").replaceChildren(...runs.map(r => new Option(`${r.notebook} · ${r.id} (${r.uses.join(", ")})`, r.id)));
  if (runs.length === 0) showMessage(`No run with a model this page can use in ${answer.experiments}: train one first, e.g. vaelab run notebooks/cvae-completion.ipynb`);
  showRun();
}
$("run").addEventListener("change", showRun);

function figure(src, caption) {
  const element = document.createElement("figure");
  const image = new Image();
  image.src = src;
  image.alt = caption;
  const text = document.createElement("figcaption");
  text.textContent = caption;
  element.append(image, text);
  return element;
}

$("complete").addEventListener("click", async () => {
  const answer = await post("api/complete", { run: $("run").value, model: modelFor("complete"), strokes, samples: 6 });
  if (!answer) return;
  $("completion-images").replaceChildren(figure(answer.partial, "partial"), figure(answer.completion, "completion"),
    figure(answer.binarised, `binarised (> ${answer.threshold})`));
  $("completion-samples").replaceChildren(...answer.samples.map((src, i) => figure(src, `sample ${i + 1}`)));
  $("completion").hidden = false;
});

$("classify").addEventListener("click", async () => {
  const answer = await post("api/classify", { run: $("run").value, strokes, temperature: Number($("temperature").value), seed: randomSeed() });
  if (!answer) return;
  $("classes").replaceChildren(...answer.classes.map(c => {
    const item = document.createElement("li");
    item.textContent = `${c.name} ${c.probability.toFixed(3)}`;
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = `${Math.round(c.probability * 120)}px`;
    item.append(bar);
    return item;
  }));
  $("ood").hidden = !answer.out_of_distribution;
  $("ood").textContent = `Out of distribution: the most probable class has p = ${answer.classes[0].probability.toFixed(3)}, below ${answer.threshold}.`;
  const replay = $("replay");
  replay.hidden = $("replay-title").hidden = !answer.completion;
  $("prediction").hidden = false;
  $("replay-note").textContent = !answer.completion ? "" : `${answer.draw_model} added ${answer.completion.length} strokes (red)` +
    (answer.completion.length ? "" : ": it ended the drawing at once");
  if (answer.completion) play(replay, strokes, answer.completion, p => p);
});

$("sample").addEventListener("click", async () => {
  const answer = await post("api/sample", { run: $("run").value, model: modelFor("sample"), temperature: Number($("temperature").value), seed: randomSeed() });
  if (!answer) return;
  $("sampled").hidden = false;
  const target = $("sample-canvas");
  $("sample-note").textContent = `${answer.model} at temperature ${answer.temperature}, seed ${answer.seed}: ${answer.strokes.length} strokes`;
  play(target, [], answer.strokes, fit(answer.strokes, target.width));
});

// Scales and centres strokes of any extent into a square of the given side, with a margin.
function fit(list, side) {
  const xs = list.flatMap(s => s.x), ys = list.flatMap(s => s.y);
  if (xs.length === 0) return p => p;
  const [minX, minY] = [Math.min(...xs), Math.min(...ys)];
  const [width, height] = [Math.max(...xs) - minX, Math.max(...ys) - minY];
  const scale = (side - 24) / Math.max(width, height, 1e-6);
  return ([x, y]) => [(side - width * scale) / 2 + (x - minX) * scale, (side - height * scale) / 2 + (y - minY) * scale];
}

// Draws the given strokes at once, then the model's stroke by stroke, point by point. The canvas counts the strokes
// replayed so far in data-replayed, and says data-state="done" at the end.
let playing = 0;
function play(target, given, drawn, place) {
  const ctx = target.getContext("2d");
  const run = ++playing;
  const moved = list => list.map(s => {
    const points = s.x.map((x, i) => place([x, s.y[i]]));
    return { x: points.map(p => p[0]), y: points.map(p => p[1]) };
  });
  const [before, after] = [moved(given), moved(drawn)];
  target.dataset.state = "playing";
  target.dataset.replayed = "0";
  let stroke = 0, points = 0;
  function frame() {
    if (run !== playing) return;
    ctx.clearRect(0, 0, target.width, target.height);
    drawStrokes(ctx, before, 1, "#222", 2);
    drawStrokes(ctx, after.slice(0, stroke), 1, "#d62728", 2);
    if (stroke < after.length) {
      const s = after[stroke];
      points += 2;
      drawStrokes(ctx, [{ x: s.x.slice(0, points), y: s.y.slice(0, points) }], 1, "#d62728", 2);
      if (points >= s.x.length) {
        stroke += 1;
        points = 0;
        target.dataset.replayed = String(stroke);
      }
      requestAnimationFrame(frame);
    } else target.dataset.state = "done";
  }
  requestAnimationFrame(frame);
}

loadRuns().catch(error => showMessage(`Could not list the runs: ${error.message}`));
redraw();
