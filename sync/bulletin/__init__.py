"""The 周通报 / 月通报 document the office sends around: figures from the same dispatch state as the
tabs (figures.py), the board chart as a picture (picture.py), a .docx (document.py), a .pdf (pdf.py)."""
