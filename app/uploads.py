"""Image uploads checked by content, stripped of metadata, stored under UPLOAD_DIR.

Only PNG, JPEG and WebP are accepted, decided by decoding the bytes with
Pillow, never by the file name or the browser's content type. Stored files
get random names; serving them is the job of a feature's own route, which
checks who may see them.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
MIME_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000


class UploadError(ValueError):
    """An upload refused; str(error) is a message for the person."""


@dataclass(frozen=True)
class StoredImage:
    name: str            # e.g. "a1b2c3....png", relative to the upload folder
    thumbnail: str | None
    width: int
    height: int
    size: int

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.name.rsplit(".", 1)[1]]


def upload_dir(kind: str) -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_image(data: bytes, kind: str, thumbnail_size: tuple[int, int] | None = (480, 480)) -> StoredImage:
    """Check, re-encode without metadata, and store an image; raise UploadError if refused.

    Re-encoding drops EXIF (location, camera), comments and anything appended
    after the image data.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise UploadError(f"The image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    if not data:
        raise UploadError("The file is empty.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if fmt not in ALLOWED_FORMATS:
            raise UploadError("Only PNG, JPEG and WebP images are accepted.")
        if image.width * image.height > MAX_PIXELS:
            raise UploadError("The image has too many pixels.")
        image = ImageOps.exif_transpose(image)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise UploadError("This file is not a PNG, JPEG or WebP image.") from error
    extension = ALLOWED_FORMATS[fmt]
    folder = upload_dir(kind)
    stem = secrets.token_hex(16)
    name = f"{stem}.{extension}"
    clean = _without_metadata(image, fmt)
    (folder / name).write_bytes(clean)
    thumb_name = None
    if thumbnail_size:
        thumb = image.copy()
        thumb.thumbnail(thumbnail_size)
        thumb_name = f"{stem}.thumb.{extension}"
        (folder / thumb_name).write_bytes(_without_metadata(thumb, fmt))
    return StoredImage(name=name, thumbnail=thumb_name, width=image.width, height=image.height, size=len(clean))


def _without_metadata(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    params = {"quality": 88} if fmt in ("JPEG", "WEBP") else {"compress_level": 6}
    fresh = Image.new(image.mode, image.size)
    fresh.paste(image)
    if image.mode == "P" and image.getpalette():
        fresh.putpalette(image.getpalette())
    fresh.save(out, format=fmt, **params)
    return out.getvalue()


def stored_path(kind: str, name: str) -> Path | None:
    """The file for a stored name, or None if the name is not one we could have made."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = upload_dir(kind) / name
    return path if path.is_file() else None


def delete_stored(kind: str, name: str | None) -> None:
    if name:
        path = stored_path(kind, name)
        if path is not None:
            path.unlink(missing_ok=True)
