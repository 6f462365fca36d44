// Draws the ratings table of "Kinerja saya" as a line chart (an enhancement: the table stays).
(function () {
  "use strict";
  var table = document.getElementById("ratings-table");
  var canvas = document.getElementById("ratings-chart");
  if (!table || !canvas || typeof Chart === "undefined") { return; }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var names = {};
  rows.forEach(function (r) { names[r.dataset.rank] = r.cells[1].textContent; });
  canvas.hidden = false;
  new Chart(canvas, {
    type: "line",
    data: {
      labels: rows.map(function (r) { return r.cells[0].textContent; }),
      datasets: [{ label: table.tHead.rows[0].cells[1].textContent,
                   data: rows.map(function (r) { return Number(r.dataset.rank); }),
                   borderColor: "#0b4f8a", backgroundColor: "#0b4f8a" }]
    },
    options: { animation: false, plugins: { legend: { display: false } },
               scales: { y: { min: 1, max: 5, ticks: { stepSize: 1,
                 callback: function (v) { return names[v] || ""; } } } } }
  });
})();
