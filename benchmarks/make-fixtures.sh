#!/usr/bin/env bash
# Makes the 4000x3000 JPEG the decode benchmarks use (an upscaled sample, quality 90), so
# that 1 MB of generated JPEG stays out of git. Uses Debian's python3 with Pillow
# (python3-pil, installed if missing).
set -euo pipefail
cd "$(dirname "$0")"
if ! /usr/bin/python3 -c "import PIL" 2> /dev/null; then
    apt-get install -y -qq --no-install-recommends python3-pil > /dev/null
fi
mkdir -p .fixtures
/usr/bin/python3 -c '
from PIL import Image
Image.open("../samples/photos/0016.jpg").convert("RGB").resize((4000, 3000), Image.LANCZOS).save(
    ".fixtures/photo-4000x3000.jpg", quality=90)'
echo "wrote benchmarks/.fixtures/photo-4000x3000.jpg"
