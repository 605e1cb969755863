using SelfSup.Training;

namespace SelfSup.Experiments;

/// <summary>
/// <c>selfsup pretrain --config run.yaml</c>: a YAML map of training settings — exactly the keys of a sweep's
/// <c>fixed:</c> block (config.json spelling <c>proj_dim</c> or flag spelling <c>proj-dim</c>), read by the same parser
/// and checked the same way: an unknown key, a value of the wrong type or out of range is an error naming the key,
/// the value and what is allowed. Flags given on the command line override the file.
/// </summary>
public static class RunConfigFile
{
    /// <summary>The configuration the file describes (defaults for keys it leaves out), and the config.json keys it set.</summary>
    public static (TrainConfig Config, IReadOnlyList<string> Keys) Load(string path)
    {
        if (!File.Exists(path)) throw new SelfSupError($"`config` '{path}' does not exist; pass a YAML file of settings such as 'width: 16' and 'proj_dim: 64' (the keys of a sweep's fixed: block)");
        var root = YamlSettings.ReadRoot(File.ReadAllText(path), path, "setting: value, e.g. proj_dim: 64");
        var settings = YamlSettings.Settings(root, path, "the top level");
        return (ConfigSettings.Apply(new TrainConfig(), settings, $"`config` '{path}'"), settings.Keys.ToList());
    }

    /// <summary>
    /// The file's configuration with the settings named on the command line (<paramref name="flagKeys"/>, config.json keys)
    /// taken from <paramref name="flags"/>; also the keys either of them set (what a resume treats as given).
    /// </summary>
    public static (TrainConfig Config, IReadOnlyList<string> Given) WithFlags(string path, TrainConfig flags, IEnumerable<string> flagKeys)
    {
        var (fromFile, fileKeys) = Load(path);
        var keys = flagKeys.ToList();
        return (fromFile.WithSettingsFrom(flags, keys), [.. fileKeys.Union(keys)]);
    }
}
