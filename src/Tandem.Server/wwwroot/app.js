// The page of `tandem serve`: asks POST /api/ask, shows the SQL, the rows or the database's refusal, the schema
// (GET /api/schema) and the recent questions. Everything is written with textContent: nothing the model or the
// database returns is ever parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const recent = [];
let lastQuestion = "";

function element(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function busy(on, what) {
  $("ask").disabled = on;
  $("run").disabled = on;
  if (on) $("status").textContent = what;
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
}

function showTable(columns, rows) {
  const table = $("result");
  table.replaceChildren();
  if (!columns.length) return;
  const head = element("tr");
  for (const c of columns) head.append(element("th", c));
  table.append(element("thead"));
  table.tHead.append(head);
  const body = element("tbody");
  for (const row of rows) {
    const tr = element("tr");
    for (const v of row) tr.append(v === null ? element("td", "NULL", "null") : element("td", String(v)));
    body.append(tr);
  }
  table.append(body);
}

function showAnswer(answer) {
  $("sql").value = answer.sql;
  const others = (answer.candidates || []).filter((c) => c !== answer.sql);
  $("candidates").replaceChildren(...others.map((c) => element("li", c)));
  $("candidates-box").hidden = others.length === 0;
  if (answer.error) {
    showTable([], []);
    showError("The database refused this SQL: " + answer.error);
    $("status").textContent = "No rows: the query did not run.";
    return;
  }
  showError("");
  showTable(answer.columns, answer.rows);
  const n = answer.rows.length;
  $("status").textContent = `${n} row${n === 1 ? "" : "s"}${answer.truncated ? " (more rows were cut off)" : ""}`;
}

function remember(question) {
  const i = recent.indexOf(question);
  if (i >= 0) recent.splice(i, 1);
  recent.unshift(question);
  recent.length = Math.min(recent.length, 10);
  $("recent").replaceChildren(...recent.map((q) => {
    const a = element("a", q);
    a.addEventListener("click", () => { $("question").value = q; ask({ question: q }); });
    const li = element("li");
    li.append(a);
    return li;
  }));
}

async function ask(body) {
  busy(true, body.sql ? "Running the SQL…" : "The model is writing SQL…");
  try {
    const response = await fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) {
      showTable([], []);
      showError(answer.error || `The server answered ${response.status}.`);
      $("status").textContent = "";
      return;
    }
    if (body.question) remember(body.question);
    showAnswer(answer);
  } catch (e) {
    showError("The server could not be reached: " + e.message);
    $("status").textContent = "";
  } finally {
    busy(false);
  }
}

async function loadSchema() {
  try {
    const [schema, health] = await Promise.all([fetch("/api/schema").then((r) => r.json()), fetch("/healthz").then((r) => r.json())]);
    $("database").textContent = health.database;
    $("schema").replaceChildren(...schema.tables.map((t) => {
      const box = element("div", undefined, "table");
      box.append(element("div", t.name, "name"));
      box.append(element("div", t.columns.map((c) => c.name + (c.isPrimaryKey ? " (key)" : "")).join(", "), "cols"));
      return box;
    }));
  } catch (e) {
    $("schema").textContent = "The schema could not be read: " + e.message;
  }
}

$("ask-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const question = $("question").value.trim();
  if (!question) { showError("Type a question first."); return; }
  lastQuestion = question;
  ask({ question });
});

$("sql-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const sql = $("sql").value.trim();
  if (!sql) { showError("There is no SQL to run."); return; }
  ask({ question: $("question").value.trim() || lastQuestion, sql });
});

loadSchema();
