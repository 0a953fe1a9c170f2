using static TorchSharp.torch;

namespace VaeLab.Models;

static class ImageInput
{
    /// <summary>
    /// Checks that a model's input is a batch [N, C, H, W] of the images it was built for, before the first layer: a
    /// wrong size otherwise surfaces as libtorch's "mat1 and mat2 shapes cannot be multiplied" from a linear layer
    /// deep inside the model.
    /// </summary>
    internal static void Check(Tensor images, long channels, long size, string model, string argument)
    {
        if (images.dim() != 4 || images.size(1) != channels || images.size(2) != size || images.size(3) != size)
            throw new ArgumentException($"{model} takes [N, {channels}, {size}, {size}] images, got [{string.Join(", ", images.shape)}]", argument);
    }
}
