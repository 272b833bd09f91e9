// Says at once when a file is over the server's limit, instead of sending it to be refused.
(function () {
  var form = document.getElementById('upload-form');
  var input = document.getElementById('input-file');
  var problem = document.getElementById('size-problem');
  if (!form || !input || !problem) return;
  var max = Number(form.dataset.maxBytes);
  function check() {
    var file = input.files && input.files[0];
    var tooBig = file && file.size > max;
    problem.hidden = !tooBig;
    if (tooBig) {
      problem.textContent = 'This file is ' + (file.size / 1048576).toFixed(1) +
        ' MB: the limit is ' + (max / 1048576).toFixed(1) + ' MB.';
    }
    return !tooBig;
  }
  input.addEventListener('change', check);
  form.addEventListener('submit', function (e) { if (!check()) e.preventDefault(); });
})();
