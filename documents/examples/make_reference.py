"""Builds documents/examples/reference_wattrelos.docx, the example reference document (styles
and letterhead of the CCAS de Wattrelos) used by the tests and offered to try the feature.
python-docx starts from its Word-made default template, so the styles are Word's own.
Run: python3 documents/examples/make_reference.py (python-docx)."""
import io
import pathlib

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor


def png(width, height, pixel):
    """A PNG written with the standard library: `pixel(x, y)` gives (r, g, b)."""
    import struct
    import zlib

    raw = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


out = pathlib.Path(__file__).with_name("reference_wattrelos.docx")

# A small logo: a green square with a white frame.
def logo_pixel(x, y):
    frame = 20 <= x < 100 and 20 <= y < 100 and not (32 <= x < 88 and 32 <= y < 88)
    return (255, 255, 255) if frame else (0, 110, 80)


logo = io.BytesIO(png(120, 120, logo_pixel))

doc = Document()
normal = doc.styles["Normal"]
normal.font.name = "Garamond"
normal.font.size = Pt(11.5)
for level, color in [(1, RGBColor(0, 110, 80)), (2, RGBColor(0, 90, 65))]:
    h = doc.styles[f"Heading {level}"]
    h.font.name = "Garamond"
    h.font.color.rgb = color

section = doc.sections[0]
header = section.header
p = header.paragraphs[0]
p.add_run().add_picture(logo, width=Cm(1.6))
r = p.add_run("\tCCAS de Wattrelos — Service de la commande publique")
r.bold = True
r.font.color.rgb = RGBColor(0, 110, 80)
footer = section.footer
fp = footer.paragraphs[0]
fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
fr = fp.add_run("CCAS de Wattrelos · 37 rue Jean Castel · 59150 Wattrelos · marches@ccas-wattrelos.example")
fr.font.size = Pt(8)

doc.add_paragraph("Document de référence du groupement : seuls ses styles, son en-tête et son pied de page sont repris par Coordo.")
doc.core_properties.author = "CCAS de Wattrelos"
doc.core_properties.title = "Document de référence"
doc.save(out)
print(out)
