// Keyboard triage in the moderation inbox. The keys act only while the focus is inside the
// list (WCAG 2.1.4: single-key shortcuts must not fire elsewhere): j and k move to the next
// or previous item, x selects it, Enter opens it.
(function () {
  var table = document.querySelector("[data-keyboard-list]");
  if (!table) {
    return;
  }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr[data-row]"));

  function currentIndex() {
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].contains(document.activeElement)) {
        return i;
      }
    }
    return -1;
  }

  function focusRow(index) {
    if (index < 0 || index >= rows.length) {
      return;
    }
    rows.forEach(function (row, i) {
      row.classList.toggle("table-active", i === index);
    });
    var link = rows[index].querySelector("[data-row-link]");
    if (link) {
      link.focus();
    }
  }

  table.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var index = currentIndex();
    if (index < 0) {
      return;
    }
    var row = rows[index];
    if (event.key === "j") {
      focusRow(index + 1);
    } else if (event.key === "k") {
      focusRow(index - 1);
    } else if (event.key === "x") {
      var box = row.querySelector("input[type=checkbox]");
      if (box) {
        box.checked = !box.checked;
      }
    } else if (event.key === "Enter" && event.target.type === "checkbox") {
      // On the link, Enter already follows it; on the checkbox it would submit the form.
      var link = row.querySelector("[data-row-link]");
      if (link) {
        window.location.assign(link.href);
      }
    } else {
      return;
    }
    event.preventDefault();
  });

  table.addEventListener("focusin", function () {
    var index = currentIndex();
    rows.forEach(function (row, i) {
      row.classList.toggle("table-active", i === index);
    });
  });
})();
