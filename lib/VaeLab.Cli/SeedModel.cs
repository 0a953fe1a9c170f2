using VaeLab.Data;
using VaeLab.Models;
using VaeLab.Runs;
using VaeLab.Torch;
using static TorchSharp.torch;

namespace VaeLab.Cli;

/// <summary>
/// Loads the model that seed 004's reconstruct.py and generate.py take: its state_dict (torch.save's .pth, or the same
/// tensors as safetensors) into a <see cref="ConvVae"/>, whose field names are the seed's keys, or a VaeLab model file
/// (<see cref="SavedModel"/>), also named by its run id or run folder. As the seed does, the model is built from
/// --latent_dims and --max_filters and the file must fit it; the image channels and size, which the seed fixes by
/// dataset and at 64x64, are read from the file's shapes instead, and so is max_filters when not given.
/// </summary>
static class SeedModel
{
    /// <summary>The 1x1 convolutions model.py declares and its forward never calls: their weights are in every file it saves.</summary>
    static readonly string[] Shortcuts = ["encoder.shortcut2.", "encoder.shortcut3.", "decoder.shortcut1.", "decoder.shortcut2."];

    const string FirstConv = "encoder.conv1.weight", LastConv = "encoder.conv3.weight", MuHead = "encoder.proj_mu.weight";

    /// <exception cref="FileNotFoundException">There is no such file, or the run has no model.</exception>
    /// <exception cref="DataFormatException">The file is not a state_dict, or not one of seed 004's VAE.</exception>
    /// <exception cref="UsageException">The flags do not fit the file: the message names every key of another shape.</exception>
    public static ConvVae Load(string model, int latent_dims, int? max_filters)
    {
        var path = RunFolder.resolve(model).model_file();
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension == ".safetensors" && safetensors.read_metadata(path).ContainsKey(SavedModel.ModelKey)
            ? LoadSaved(path, latent_dims, max_filters)
            : LoadStateDict(path, latent_dims, max_filters);
    }

    static ConvVae LoadSaved(string path, int latent_dims, int? max_filters)
    {
        var info = SavedModel.info(path);
        if (info.config is not ConvVaeConfig config)
            throw new UsageException($"{path} holds a {info.model}, and these commands take seed 004's VAE (a ConvVae)");
        if (config.latent_dim != latent_dims || config.max_filters != (max_filters ?? config.max_filters))
            throw new UsageException($"{path} holds a model of --latent_dims {config.latent_dim} --max_filters {config.max_filters}, " +
                $"not --latent_dims {latent_dims} --max_filters {max_filters}");
        return SavedModel.load<ConvVae>(path);
    }

    static ConvVae LoadStateDict(string path, int latent_dims, int? max_filters)
    {
        var state = Weights.read(path);
        try
        {
            var (channels, image_size, file_latent, file_filters) = Shape(path, state);
            var filters = max_filters ?? file_filters;
            var model = new ConvVae(new ConvVaeConfig
            {
                image_channels = channels, image_size = image_size, latent_dim = latent_dims, max_filters = filters,
            });
            LoadedWeights loaded;
            try { loaded = model.load_weights(state, strict: false); }
            catch (ArgumentException e)
            {
                model.Dispose();
                throw new UsageException($"{path} holds a model of --latent_dims {file_latent} --max_filters {file_filters}, " +
                    $"not --latent_dims {latent_dims} --max_filters {filters}: {Cli.Reason(e)}");
            }
            var stray = loaded.unexpected_keys.Where(key => !Shortcuts.Any(key.StartsWith)).ToList();
            var problems = new List<string>();
            if (loaded.missing_keys.Count > 0) problems.Add("missing keys: " + string.Join(", ", loaded.missing_keys));
            if (stray.Count > 0) problems.Add("unexpected keys: " + string.Join(", ", stray));
            if (problems.Count > 0)
            {
                model.Dispose();
                throw new DataFormatException(path, "state_dict", "not seed 004's VAE: " + string.Join("; ", problems));
            }
            return model;
        }
        finally
        {
            foreach (var tensor in state.Values) tensor.Dispose();
        }
    }

    /// <summary>Image channels and size, latent dims and max filters that the file's shapes say it was trained with.</summary>
    static (int channels, int image_size, int latent_dims, int max_filters) Shape(string path, Dictionary<string, Tensor> state)
    {
        long[] Of(string key, int rank) => state.TryGetValue(key, out var tensor) && tensor.dim() == rank ? tensor.shape
            : throw new DataFormatException(path, key, $"not seed 004's VAE: no {rank}-d tensor by that name " +
                $"(its keys: {string.Join(", ", state.Keys.Take(8))}{(state.Count > 8 ? ", ..." : "")})");
        var channels = Of(FirstConv, 4)[1];
        var filters = Of(LastConv, 4)[0];
        var mu = Of(MuHead, 2);
        // proj_mu reads the flattened max_filters x (size/8) x (size/8) map of the last convolution.
        var side = (long)Math.Round(Math.Sqrt((double)mu[1] / filters));
        if (filters < 1 || side < 1 || filters * side * side != mu[1])
            throw new DataFormatException(path, MuHead, $"{MuHead} reads {mu[1]} features, which is not {LastConv}'s {filters} channels times a square map");
        return ((int)channels, (int)side * 8, (int)mu[0], (int)filters);
    }
}
