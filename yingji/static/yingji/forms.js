// Form widgets the shared form layer asks for with data- attributes (yingji/core/forms.py, docs/dev/forms.md).
window.yingji = window.yingji || {};
