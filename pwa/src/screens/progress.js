// "Min udvikling": a simple picture of one citizen's own progressionsskema answers over
// time, for the citizen at the end of the self-fill (after the MOVE report's written
// status to the young person). One small line chart per theme — how you have been
// (0–10), support, hope and control (1–5), your everyday life (1–5) — the mean of the
// theme's answered items at each occasion, and the same numbers as a table. SVG built with
// DOM calls (no HTML strings, no style attributes: classes in app.css). Nothing about anyone else.
import { h } from "../ui.js";

const SVG = "http://www.w3.org/2000/svg";
const THEMES = [
  { id: "wellbeing", title: "Sådan har du haft det", prefix: "wellbeing_", min: 0, max: 10, low: "0 = meget dårligt", high: "10 = rigtig godt" },
  { id: "recovery", title: "Støtte, håb og kontrol", prefix: "recovery_", min: 1, max: 5, low: "1 = slet ikke", high: "5 = rigtig meget" },
  { id: "daily", title: "Din hverdag", prefix: "daily_", min: 1, max: 5, low: "1 = meget dårlig", high: "5 = meget god" },
];
const W = 320;
const H = 150;
const PAD = { left: 28, right: 16, top: 14, bottom: 30 };
const number = (x) => x.toLocaleString("da-DK", { maximumFractionDigits: 1 });

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** The mean of a theme's answered items in one response, or null. */
export function themeValue(theme, answers) {
  const values = Object.entries(answers)
    .filter(([key, value]) => key.startsWith(theme.prefix) && value !== null && value !== "")
    .map(([, value]) => Number(value))
    .filter((n) => Number.isFinite(n));
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** One figure per theme with at least one value: [{occasion, filled_on, answers}] in occasion order. */
export function developmentPicture(responses) {
  const figures = THEMES.map((theme) => chart(theme, responses.map((r) => ({ occasion: r.occasion, value: themeValue(theme, r.answers) })).filter((p) => p.value !== null))).filter(Boolean);
  return h("div", { class: "development", id: "development" }, figures.length ? figures : h("p", {}, "Du sprang alle spørgsmålene om trivsel over, så der er ikke noget at vise."));
}

function chart(theme, points) {
  if (!points.length) return null;
  const n = Math.max(points.length, 2);
  const x = (i) => PAD.left + (i * (W - PAD.left - PAD.right)) / (n - 1);
  const y = (v) => PAD.top + ((theme.max - v) * (H - PAD.top - PAD.bottom)) / (theme.max - theme.min);
  const titleId = `chart-${theme.id}-title`;
  const summary = points.length > 1 ? `Første gang ${number(points[0].value)}, seneste gang ${number(points.at(-1).value)}.` : `I dag ${number(points[0].value)}.`;
  const picture = svg(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-labelledby": titleId, focusable: "false" },
    svg("title", { id: titleId }, `${theme.title}: ${summary}`),
    svg("line", { class: "chart-axis", x1: PAD.left, y1: y(theme.min), x2: W - PAD.right, y2: y(theme.min) }),
    svg("line", { class: "chart-grid", x1: PAD.left, y1: y(theme.max), x2: W - PAD.right, y2: y(theme.max) }),
    svg("text", { class: "chart-scale", x: PAD.left - 6, y: y(theme.max) + 4, "text-anchor": "end" }, String(theme.max)),
    svg("text", { class: "chart-scale", x: PAD.left - 6, y: y(theme.min) + 4, "text-anchor": "end" }, String(theme.min)),
    points.length > 1 ? svg("polyline", { class: "chart-line", points: points.map((p, i) => `${x(i)},${y(p.value)}`).join(" ") }) : null,
    ...points.flatMap((p, i) => [
      svg("circle", { class: "chart-point", cx: x(i), cy: y(p.value), r: 5 }),
      svg("text", { class: "chart-value", x: x(i), y: y(p.value) - 9, "text-anchor": "middle" }, number(p.value)),
      // With many answers only every other occasion is named under the axis (they would overlap).
      i % Math.ceil(points.length / 5) === 0 || i === points.length - 1
        ? svg("text", { class: "chart-scale", x: x(i), y: H - 8, "text-anchor": "middle" }, points.length > 4 ? String(p.occasion) : `${p.occasion}. gang`)
        : null,
    ]),
  );
  return h(
    "figure",
    { class: "chart-figure", "data-theme": theme.id },
    h("figcaption", {}, h("strong", {}, theme.title), h("span", { class: "muted" }, ` (${theme.low}, ${theme.high})`)),
    picture,
    points.length > 4 ? h("p", { class: "chart-note muted" }, "Tallene under linjen er gangene: 1 er første gang.") : null,
    h(
      "details",
      {},
      h("summary", {}, "Se tallene"),
      h(
        "table",
        { class: "chart-table" },
        h("caption", {}, `${theme.title} – tallene`),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Gang"), h("th", { scope: "col" }, "Gennemsnit"))),
        h("tbody", {}, points.map((p) => h("tr", {}, h("td", {}, `${p.occasion}.`), h("td", {}, number(p.value))))),
      ),
    ),
  );
}
