#!/usr/bin/env bash
# Renders the application icon's PNGs (hicolor sizes) and the Windows .ico from the one SVG,
# resources/icons/hicolor/scalable/apps/org.oodinspector.OODInspector.svg. The outputs are
# committed, so that a build needs no SVG renderer; run this after changing the SVG.
# Needs rsvg-convert (librsvg2-bin) and ImageMagick's convert (imagemagick).
set -euo pipefail
cd "$(dirname "$0")/../../resources/icons"
id=org.oodinspector.OODInspector
svg=hicolor/scalable/apps/$id.svg
sizes=(16 32 48 64 128 256)
for s in "${sizes[@]}"; do
  mkdir -p "hicolor/${s}x${s}/apps"
  rsvg-convert -w "$s" -h "$s" "$svg" -o "hicolor/${s}x${s}/apps/$id.png"
done
# Windows picks the nearest size from the .ico for title bars, the taskbar and Explorer.
/usr/bin/convert hicolor/{16x16,32x32,48x48,64x64,256x256}/apps/$id.png "$id.ico"
echo "render-icons: wrote ${sizes[*]} px PNGs and $id.ico"
