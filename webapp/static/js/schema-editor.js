/* The inventory form's field editor: a field-by-field view over the JSON textarea it
 * writes to. The server checks the result (mapping.formschema.clean_schema); without
 * JavaScript the textarea alone is the editor.
 *
 * <div id="schema-editor" data-for="<textarea id>" data-labels='{…}' data-types='[[v, label]…]'> */
(function () {
  "use strict";

  var root = document.getElementById("schema-editor");
  if (!root) return;
  var textarea = document.getElementById(root.dataset.for);
  var L = JSON.parse(root.dataset.labels || "{}");
  var TYPES = JSON.parse(root.dataset.types || "[]");
  var live = document.getElementById("schema-editor-status");
  var schema;

  function read() {
    try {
      var value = JSON.parse(textarea.value || "{}");
      if (!value || typeof value !== "object" || !Array.isArray(value.fields || [])) throw new Error();
      value.fields = value.fields || [];
      return value;
    } catch (e) {
      return null;
    }
  }

  function write() {
    textarea.value = JSON.stringify(schema, null, 2);
  }

  function say(text) { if (live) live.textContent = text; }

  function node(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") el.textContent = attrs[k];
      else if (k === "className") el.className = attrs[k];
      else el.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) el.appendChild(c); });
    return el;
  }

  function isChoice(field) { return field.type === "choice" || field.type === "multi_choice"; }

  function bound(field, raw) {
    if (raw === "") return null;
    if (field.type === "date") return raw;
    var n = Number(raw.replace(",", "."));
    return isNaN(n) ? raw : n;
  }

  function textInput(id, label, value, onChange, extra) {
    var input = node("input", Object.assign({type: "text", id: id, className: "form-control form-control-sm"}, extra || {}));
    input.value = value === undefined || value === null ? "" : String(value);
    input.addEventListener("change", function () { onChange(input.value.trim()); write(); });
    return node("div", {className: "col-sm-6 col-lg-4"}, [
      node("label", {"for": id, className: "form-label small mb-0", text: label}), input]);
  }

  function checkbox(id, label, checked, onChange) {
    var input = node("input", {type: "checkbox", id: id, className: "form-check-input"});
    input.checked = Boolean(checked);
    input.addEventListener("change", function () { onChange(input.checked); write(); });
    return node("div", {className: "form-check col-sm-6 col-lg-4 choice-touch"}, [
      input, node("label", {"for": id, className: "form-check-label small", text: label})]);
  }

  /* The visible text starts the accessible name; `detail` (which field) follows, hidden. */
  function button(text, detail, onClick, style) {
    var b = node("button", {type: "button", className: "btn btn-sm btn-touch " + (style || "btn-outline-secondary"), text: text});
    if (detail) b.appendChild(node("span", {className: "visually-hidden", text: " (" + detail + ")"}));
    b.addEventListener("click", onClick);
    return b;
  }

  function fill(text, values) {
    return Object.keys(values).reduce(function (t, k) { return t.replace("%" + k, values[k]); }, text || "");
  }

  function choiceRow(field, choice, i, j) {
    var p = "sf-" + i + "-c" + j + "-";
    var name = choice.value || String(j + 1);
    return node("div", {className: "row g-2 align-items-end border-top pt-2 mt-1"}, [
      textInput(p + "value", L.choiceValue, choice.value, function (v) { choice.value = v; }),
      textInput(p + "fr", L.labelFr, choice.label_fr, function (v) { choice.label_fr = v; }, {lang: "fr"}),
      textInput(p + "en", L.labelEn, choice.label_en, function (v) { choice.label_en = v; }, {lang: "en"}),
      textInput(p + "osm", L.choiceOsm, choice.osm, function (v) { choice.osm = v || null; }),
      checkbox(p + "sensitive", L.choiceSensitive, choice.sensitive, function (v) { choice.sensitive = v; }),
      node("div", {className: "col-sm-6 col-lg-4"}, [
        button(L.removeChoice, fill(L.ofChoice, {name: name}), function () {
          field.choices.splice(j, 1); render(); say(L.choiceRemoved);
        }, "btn-outline-danger")])
    ]);
  }

  function fieldCard(field, i) {
    var p = "sf-" + i + "-";
    var type = node("select", {id: p + "type", className: "form-select form-select-sm"});
    TYPES.forEach(function (t) {
      var o = node("option", {value: t[0], text: t[1]});
      if (t[0] === field.type) o.selected = true;
      type.appendChild(o);
    });
    type.addEventListener("change", function () {
      field.type = type.value;
      if (isChoice(field) && !field.choices) field.choices = [{value: "", label_fr: "", label_en: ""}];
      write(); render(p + "type");
    });
    var name = field.key || String(i + 1);
    var legend = node("legend", {className: "h6", text: fill(L.fieldN, {n: i + 1, key: field.key || ""})});
    var body = [
      legend,
      node("div", {className: "row g-2"}, [
        textInput(p + "key", L.key, field.key, function (v) { field.key = v; }, {autocapitalize: "off", spellcheck: "false"}),
        node("div", {className: "col-sm-6 col-lg-4"}, [
          node("label", {"for": p + "type", className: "form-label small mb-0", text: L.type}), type]),
        textInput(p + "osm", L.osmTag, field.osm_tag, function (v) { field.osm_tag = v || null; }),
        textInput(p + "label_fr", L.labelFr, field.label_fr, function (v) { field.label_fr = v; }, {lang: "fr"}),
        textInput(p + "label_en", L.labelEn, field.label_en, function (v) { field.label_en = v; }, {lang: "en"}),
        textInput(p + "min", L.min, field.min, function (v) { field.min = bound(field, v); }),
        textInput(p + "help_fr", L.helpFr, field.help_fr, function (v) { field.help_fr = v; }, {lang: "fr"}),
        textInput(p + "help_en", L.helpEn, field.help_en, function (v) { field.help_en = v; }, {lang: "en"}),
        textInput(p + "max", L.max, field.max, function (v) { field.max = bound(field, v); }),
        checkbox(p + "required", L.required, field.required, function (v) { field.required = v; }),
        checkbox(p + "sensitive", L.sensitive, field.sensitive, function (v) { field.sensitive = v; }),
        checkbox(p + "locating", L.locating, field.locating, function (v) { field.locating = v; }),
        checkbox(p + "key_attribute", L.keyAttribute, field.key_attribute, function (v) { field.key_attribute = v; })
      ])
    ];
    if (isChoice(field)) {
      field.choices = field.choices || [];
      var list = node("div", {className: "mt-2"}, [node("p", {className: "small fw-semibold mb-0", text: L.choices})]);
      field.choices.forEach(function (c, j) { list.appendChild(choiceRow(field, c, i, j)); });
      list.appendChild(button(L.addChoice, fill(L.ofField, {name: name}), function () {
        field.choices.push({value: "", label_fr: "", label_en: "", sensitive: false, osm: null});
        write(); render("sf-" + i + "-c" + (field.choices.length - 1) + "-value"); say(L.choiceAdded);
      }));
      body.push(list);
    }
    body.push(node("div", {className: "d-flex flex-wrap gap-2 mt-2"}, [
      i > 0 ? button(L.up, fill(L.ofField, {name: name}), function () { move(i, -1); }) : null,
      i < schema.fields.length - 1 ? button(L.down, fill(L.ofField, {name: name}), function () { move(i, 1); }) : null,
      button(L.remove, fill(L.ofField, {name: name}), function () {
        schema.fields.splice(i, 1); write(); render("schema-add"); say(fill(L.removed, {name: name}));
      }, "btn-outline-danger")
    ]));
    return node("fieldset", {className: "card card-body mb-3 schema-field"}, body);
  }

  function move(i, step) {
    var field = schema.fields.splice(i, 1)[0];
    schema.fields.splice(i + step, 0, field);
    write();
    render("sf-" + (i + step) + "-key");
    say(fill(L.moved, {name: field.key || "", n: i + step + 1}));
  }

  function render(focusId) {
    var list = document.getElementById("schema-fields");
    list.textContent = "";
    schema.fields.forEach(function (f, i) { list.appendChild(fieldCard(f, i)); });
    if (focusId) {
      var target = document.getElementById(focusId);
      if (target) target.focus();
    }
  }

  function start() {
    schema = read();
    root.textContent = "";
    if (!schema) {
      root.appendChild(node("p", {className: "alert alert-warning", text: L.unreadable}));
      return;
    }
    root.appendChild(node("div", {id: "schema-fields"}));
    var add = button(L.add, null, function () {
      schema.fields.push({key: "", type: "text", label_fr: "", label_en: "", required: false});
      write(); render("sf-" + (schema.fields.length - 1) + "-key"); say(L.added);
    }, "btn-outline-primary");
    add.id = "schema-add";
    root.appendChild(add);
    render();
  }

  textarea.addEventListener("change", start);
  start();
})();
