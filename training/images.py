"""Image preprocessing: the one definition, written into the manifest for the runtime to follow."""
import torch
from PIL import Image, ImageOps


def to_rgb(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation and flatten alpha on white, as the runtime does."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def resize(image: Image.Image, size: int) -> Image.Image:
    """`fill`: stretch to size x size, bilinear."""
    image = to_rgb(image)
    return image if image.size == (size, size) else image.resize((size, size), Image.BILINEAR)


def to_tensor(image: Image.Image, mean, std) -> torch.Tensor:
    """(3, H, W) float32, 0..1 then normalised per channel."""
    data = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8)
    x = data.view(image.size[1], image.size[0], 3).permute(2, 0, 1).float() / 255.0
    return (x - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)


def make_transform(size: int, mean, std):
    return lambda image: to_tensor(resize(image, size), mean, std)
