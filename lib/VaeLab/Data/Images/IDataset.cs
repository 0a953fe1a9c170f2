namespace VaeLab.Data.Images;

/// <summary>Samples by index (PyTorch's map-style Dataset): <see cref="Get"/> must be safe to call from several threads.</summary>
public interface IDataset<out T>
{
    int Count { get; }

    T Get(int index);
}

/// <summary>An image and its class. Sets without classes (COCO, CelebA) label every image 0, as torchvision's ImageFolder does with one class folder.</summary>
public readonly record struct LabeledImage(FloatImage Image, long Label);
