// Progressive enhancement: the tables carry every figure; the charts only draw them.
(function () {
  var node = document.getElementById("series-data");
  if (!node || !window.Chart) { return; }
  var s = JSON.parse(node.textContent);
  var canvas = document.getElementById("chart-monthly");
  if (!canvas) { return; }
  new window.Chart(canvas, {
    data: {
      labels: s.labels,
      datasets: [
        {type: "bar", label: canvas.dataset.petitions, data: s.petitions, yAxisID: "y", backgroundColor: "#c8102e66"},
        {type: "line", label: canvas.dataset.satisfaction, data: s.satisfaction, yAxisID: "rate", borderColor: "#1a7f37"},
        {type: "line", label: canvas.dataset.response, data: s.response, yAxisID: "rate", borderColor: "#0b5cad"}
      ]
    },
    options: {responsive: true, maintainAspectRatio: false, scales: {y: {beginAtZero: true}, rate: {position: "right", min: 0, max: 100}}}
  });
})();
