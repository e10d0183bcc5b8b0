/* spotiviz report: draws the charts of the embedded data with Apache ECharts.
   Names from the history are only ever text: legends are built with textContent and tooltips go
   through esc(); no name is drawn on a canvas label, where ECharts would read {style|text} markup. */
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (event) { errors.push(String(event.message)); });

  var data = JSON.parse(document.getElementById("spotiviz-data").textContent);
  var stats = data.stats;
  var GREEN = "#1db954";
  var WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  var PALETTE = ["#1db954", "#2e77d0", "#e8115b", "#ff9f1c", "#8e44ad", "#16a085", "#d35400", "#7f8c8d"];
  var charts = {};

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function minutes(value) {
    return Math.round(value).toLocaleString("en") + " min";
  }
  function make(key, option) {
    var element = document.getElementById("chart-" + key);
    var chart = echarts.init(element, null, {renderer: "canvas"});
    option.animationDuration = 300;
    option.tooltip.className = "spotiviz-tip";
    option.textStyle = {fontFamily: "system-ui, sans-serif"};
    chart.setOption(option);
    charts[key] = chart;
    return chart;
  }

  // minutes by month (or week), a bar each
  var timeline = data.timeline;
  make("timeline", {
    grid: {left: 48, right: 16, top: 16, bottom: 40},
    tooltip: {trigger: "axis", formatter: function (items) {
      var item = items[0];
      return esc((timeline.unit === "week" ? "Week of " : "") + item.name) + "<br><b>" + esc(minutes(item.value)) + "</b>";
    }},
    xAxis: {type: "category", data: timeline.labels},
    yAxis: {type: "value", name: "minutes"},
    series: [{type: "bar", data: timeline.minutes, itemStyle: {color: GREEN}}]
  });

  // a calendar heatmap: a year per row
  var days = Object.keys(stats.by_day);
  var since = stats.period.since, until = stats.period.until;  // a year's days outside the period stay empty
  var firstYear = Number((days[0] || since).slice(0, 4)), lastYear = Number((days[days.length - 1] || until).slice(0, 4));
  var calendars = [], series = [], most = 1;
  days.forEach(function (day) { most = Math.max(most, stats.by_day[day]); });
  for (var year = lastYear; year >= firstYear; year--) {
    var index = calendars.length;
    calendars.push({
      top: 30 + index * 150, left: 64, right: 16, cellSize: ["auto", 15], range: String(year),
      yearLabel: {show: true, position: "left", margin: 40}, dayLabel: {firstDay: 1, nameMap: "EN"}, monthLabel: {nameMap: "EN"},
      itemStyle: {borderWidth: 1, borderColor: "#fff", color: "#ebedf0"}, splitLine: {show: false}
    });
    series.push({
      type: "heatmap", coordinateSystem: "calendar", calendarIndex: index,
      data: days.filter(function (day) { return day.slice(0, 4) === String(year); })
        .map(function (day) { return [day, stats.by_day[day]]; })
    });
  }
  var calendarElement = document.getElementById("chart-calendar");
  calendarElement.style.height = Math.max(1, calendars.length) * 150 + 60 + "px";
  make("calendar", {
    tooltip: {formatter: function (item) {
      return esc(item.value[0]) + "<br><b>" + esc(minutes(item.value[1])) + "</b>";
    }},
    visualMap: {min: 0, max: most, show: true, orient: "horizontal", left: "center", bottom: 0,
      calculable: false, text: [minutes(most), "0"], inRange: {color: ["#c6f6d5", "#1db954", "#0b5d2a"]}},
    calendar: calendars,
    series: series
  });

  // the punchcard: minutes by weekday and hour
  var cells = [], hottest = 1;
  stats.punchcard.forEach(function (hours, weekday) {
    hours.forEach(function (value, hour) {
      cells.push([hour, weekday, value]);
      hottest = Math.max(hottest, value);
    });
  });
  make("punchcard", {
    grid: {left: 48, right: 16, top: 8, bottom: 64},
    tooltip: {formatter: function (item) {
      var hour = item.value[0];
      return esc(WEEKDAYS[item.value[1]] + " " + hour + ":00-" + (hour + 1) + ":00") + "<br><b>" + esc(minutes(item.value[2])) + "</b>";
    }},
    xAxis: {type: "category", data: Array.from({length: 24}, function (_, hour) { return String(hour); }), splitArea: {show: true}},
    yAxis: {type: "category", data: WEEKDAYS, inverse: true, splitArea: {show: true}},
    visualMap: {min: 0, max: hottest, show: false, inRange: {color: ["#f0fff4", "#1db954", "#0b5d2a"]}},
    series: [{type: "heatmap", data: cells}]
  });

  // the top artists over time: stacked areas, month by month
  var artists = data.artists_over_time;
  var artistChart = make("artists", {
    color: PALETTE,
    grid: {left: 48, right: 16, top: 16, bottom: 40},
    legend: {show: false, data: artists.series.map(function (s) { return s.name; })},
    tooltip: {trigger: "axis", formatter: function (items) {
      var lines = [esc(items.length ? items[0].name : "")];
      items.forEach(function (item) {
        if (item.value > 0) { lines.push(item.marker + esc(item.seriesName) + ": <b>" + esc(minutes(item.value)) + "</b>"); }
      });
      return lines.join("<br>");
    }},
    xAxis: {type: "category", boundaryGap: false, data: artists.months},
    yAxis: {type: "value", name: "minutes"},
    series: artists.series.map(function (s) {
      return {name: s.name, type: "line", stack: "artists", areaStyle: {}, symbol: "none", smooth: true, data: s.minutes};
    })
  });
  var legend = document.getElementById("legend-artists");
  artists.series.forEach(function (s, index) {
    var button = document.createElement("button");
    button.type = "button";
    var swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = PALETTE[index % PALETTE.length];
    button.appendChild(swatch);
    button.appendChild(document.createTextNode(s.name));
    button.title = "Show or hide";
    button.addEventListener("click", function () {
      artistChart.dispatchAction({type: "legendToggleSelect", name: s.name});
      button.classList.toggle("off");
    });
    legend.appendChild(button);
  });
  if (!artists.series.length) { legend.textContent = "No plays in this period."; }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (key) { charts[key].resize(); });
  });

  // what a headless browser reads back (tests): is every chart there, and drawn? With #check in the
  // address, it also hovers over the busiest month (week), the first day and the busiest hour, and
  // keeps what their tooltips say.
  var hovered = {timeline: null, calendar: null, punchcard: null};
  function busiest(values) {
    return values.reduce(function (best, value, index) { return value > values[best] ? index : best; }, 0);
  }
  function hover() {
    var targets = {
      timeline: {seriesIndex: 0, dataIndex: busiest(timeline.minutes)},
      calendar: {seriesIndex: 0, dataIndex: 0},
      punchcard: {seriesIndex: 0, dataIndex: busiest(cells.map(function (cell) { return cell[2]; }))}
    };
    Object.keys(targets).forEach(function (key) {
      charts[key].dispatchAction({type: "showTip", seriesIndex: targets[key].seriesIndex, dataIndex: targets[key].dataIndex});
    });
    setTimeout(function () {
      Object.keys(targets).forEach(function (key) {
        var tip = document.querySelector("#chart-" + key + " .spotiviz-tip");
        hovered[key] = tip ? tip.textContent : null;
      });
    }, 300);
  }
  function check() {
    var drawn = {};
    Object.keys(charts).forEach(function (key) {
      var canvas = document.querySelector("#chart-" + key + " canvas");
      var inked = false;
      if (canvas && canvas.width && canvas.height) {
        var pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        for (var i = 3; i < pixels.length; i += 4 * 7) { if (pixels[i] !== 0) { inked = true; break; } }
      }
      drawn[key] = inked;
    });
    document.documentElement.setAttribute("data-check", JSON.stringify({charts: drawn, errors: errors, tooltips: hovered}));
  }
  if (location.hash === "#check") { setTimeout(hover, 500); }
  setTimeout(check, 1000);
})();
