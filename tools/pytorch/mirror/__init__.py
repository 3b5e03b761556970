"""The PyTorch mirror of langseg's LangSeg model (docs/MODEL.md): one module per component, parameter
names and layouts identical to src/model/, so weights move between the two."""
