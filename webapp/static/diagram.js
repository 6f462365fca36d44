// Draws the model an instance ran under with bpmn-js, marking the elements it passed, the flows it
// took and the steps waiting now, with each step's run count (an enhancement: the tables stay).
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  if (!box || typeof BpmnJS === "undefined" || !window.fetch) { return; }
  var runs = JSON.parse(box.dataset.runs), flows = JSON.parse(box.dataset.flows);
  var active = JSON.parse(box.dataset.active);
  box.hidden = false;
  var viewer = new BpmnJS({ container: box });
  fetch(box.dataset.xml, { credentials: "same-origin" })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas"), overlays = viewer.get("overlays");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      function mark(id, css) { if (registry.get(id)) { canvas.addMarker(id, css); } }
      Object.keys(runs).forEach(function (id) {
        mark(id, "passed");
        if (!registry.get(id)) { return; }
        var badge = document.createElement("span");
        badge.className = "run-count";
        badge.textContent = "\u00d7" + runs[id];
        overlays.add(id, { position: { top: -12, right: 12 }, html: badge });
      });
      Object.keys(flows).forEach(function (id) { mark(id, "taken"); });
      active.forEach(function (id) { mark(id, "active"); });
      box.dataset.ready = "true";
    })
    .catch(function () { box.hidden = true; });
})();
