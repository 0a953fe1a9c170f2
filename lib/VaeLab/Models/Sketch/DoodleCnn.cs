using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VaeLab.Models.Sketch;

/// <summary>Hyperparameters of <see cref="DoodleCnn"/>: seed 001's ten classes (cat, dog, car, tree, house, flower, fish,
/// star, apple, face) and dropout 0.3.</summary>
public sealed record DoodleCnnConfig
{
    public long num_classes { get; init; } = 10;
    public double dropout { get; init; } = 0.3;
}

/// <summary>
/// Seed 001's CNN classifier for 28x28 rasters [N, 1, 28, 28] (white background, black strokes): Conv3x3 32, 64, 128
/// (each BatchNorm + ReLU), MaxPool 2, Conv3x3 256, 512 (BatchNorm + ReLU), MaxPool 2, then 512*7*7 -> FC 512 + ReLU
/// -> Dropout 0.3 -> FC 256 + ReLU -> Dropout 0.3 -> FC classes (logits). Field names are the seed's classifierCNN
/// (conv1..conv5, bn1..bn5, fc1..fc3), so its state_dict keys match.
/// </summary>
public sealed class DoodleCnn : nn.Module<Tensor, Tensor>
{
    public const int ImageSize = 28;

    public readonly Conv2d conv1;
    public readonly BatchNorm2d bn1;
    public readonly Conv2d conv2;
    public readonly BatchNorm2d bn2;
    public readonly Conv2d conv3;
    public readonly BatchNorm2d bn3;
    public readonly Conv2d conv4;
    public readonly BatchNorm2d bn4;
    public readonly Conv2d conv5;
    public readonly BatchNorm2d bn5;
    public readonly MaxPool2d pool;
    public readonly Dropout dropout;
    public readonly Linear fc1;
    public readonly Linear fc2;
    public readonly Linear fc3;

    public DoodleCnnConfig config { get; }
    public long num_classes => config.num_classes;

    public DoodleCnn(long num_classes = 10, double dropout = 0.3) : this(new DoodleCnnConfig { num_classes = num_classes, dropout = dropout })
    {
    }

    public DoodleCnn(DoodleCnnConfig config) : base(nameof(DoodleCnn))
    {
        this.config = config;
        var (num_classes, dropout) = (config.num_classes, config.dropout);
        (conv1, bn1) = (nn.Conv2d(1, 32, 3, padding: 1), nn.BatchNorm2d(32));
        (conv2, bn2) = (nn.Conv2d(32, 64, 3, padding: 1), nn.BatchNorm2d(64));
        (conv3, bn3) = (nn.Conv2d(64, 128, 3, padding: 1), nn.BatchNorm2d(128));
        (conv4, bn4) = (nn.Conv2d(128, 256, 3, padding: 1), nn.BatchNorm2d(256));
        (conv5, bn5) = (nn.Conv2d(256, 512, 3, padding: 1), nn.BatchNorm2d(512));
        pool = nn.MaxPool2d(2, stride: 2);
        this.dropout = nn.Dropout(dropout);
        fc1 = nn.Linear(512 * 7 * 7, 512);
        fc2 = nn.Linear(512, 256);
        fc3 = nn.Linear(256, num_classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        ImageInput.Check(x, 1, ImageSize, nameof(DoodleCnn), nameof(x));
        x = bn1.call(conv1.call(x)).relu();
        x = bn2.call(conv2.call(x)).relu();
        x = pool.call(bn3.call(conv3.call(x)).relu());
        x = bn4.call(conv4.call(x)).relu();
        x = pool.call(bn5.call(conv5.call(x)).relu());
        x = dropout.call(fc1.call(x.flatten(1)).relu());
        x = dropout.call(fc2.call(x).relu());
        return fc3.call(x);
    }
}
