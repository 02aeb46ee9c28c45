Attribute VB_Name = "DispatchButton"
' dispatchbook: the button that runs the dispatch on this workbook now.
' Needs the xlwings add-in (or the standalone xlwings VBA module) and a Python with
' dispatchbook installed; setup in docs/excel-button.md. Assign the macro below to a
' button shape. This file is saved in GBK, the ANSI code page of Simplified Chinese
' Windows, which is what the VBA editor expects when it imports a module.
Option Explicit

Sub Á¢¼´µ÷¶È()
    RunPython "import sync.button; sync.button.recalc()"
End Sub
