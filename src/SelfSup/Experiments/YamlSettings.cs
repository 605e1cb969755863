using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SelfSup.Experiments;

/// <summary>Settings read from YAML (sweep files and run-config files): maps of setting: value or setting: [values], every error naming the file and line.</summary>
internal static class YamlSettings
{
    /// <summary>The top-level map of a YAML text (empty for an empty text); errors name <paramref name="source"/> and what the map may hold.</summary>
    internal static YamlMappingNode ReadRoot(string yaml, string source, string expected)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            return stream.Documents.Count == 0 ? new YamlMappingNode()
                : stream.Documents[0].RootNode as YamlMappingNode ?? throw new SelfSupError($"'{source}': the top level must be a map ({expected})");
        }
        catch (YamlException e)
        {
            throw new SelfSupError($"'{source}' is not valid YAML (line {e.Start.Line}, column {e.Start.Column}: {ConfigSettings.Shown(e.Message, 200)}); fix it or start from the example in README");
        }
        catch (InvalidOperationException)          // YamlDotNet's scanner fails this way on some malformed scalars
        {
            throw new SelfSupError($"'{source}' is not valid YAML (the YAML reader could not scan it; look for stray or non-text characters); fix it or start from the example in README");
        }
    }

    /// <summary>A map of setting: value (a list reads as comma-separated values), keys normalised.</summary>
    internal static Dictionary<string, string> Settings(YamlNode node, string source, string where)
    {
        if (node is YamlScalarNode { Value: null or "" }) return [];
        if (node is not YamlMappingNode map) throw new SelfSupError($"'{source}': {where} must be a map of setting: value");
        var result = new Dictionary<string, string>();
        foreach (var (k, v) in map.Children)
        {
            string key = ConfigSettings.NormaliseKey(Scalar(k, source, "a key"), $"'{source}' {where}");
            result[key] = v is YamlSequenceNode seq ? string.Join(",", seq.Select(x => Scalar(x, source, $"{where}.{key}"))) : Scalar(v, source, $"{where}.{key}");
        }
        return result;
    }

    /// <summary>A map of setting: [values] (a single value counts as a one-item list).</summary>
    internal static List<KeyValuePair<string, string[]>> Lists(YamlNode node, string source, string where)
    {
        if (node is YamlScalarNode { Value: null or "" }) return [];
        if (node is not YamlMappingNode map) throw new SelfSupError($"'{source}': {where} must be a map of setting: [values]");
        var result = new List<KeyValuePair<string, string[]>>();
        foreach (var (k, v) in map.Children)
        {
            string key = ConfigSettings.NormaliseKey(Scalar(k, source, "a key"), $"'{source}' {where}");
            string[] values = v is YamlSequenceNode seq ? seq.Select(x => Scalar(x, source, $"{where}.{key}")).ToArray() : [Scalar(v, source, $"{where}.{key}")];
            if (values.Length == 0) throw new SelfSupError($"'{source}': {where}.{key} is an empty list; give at least one value");
            result.Add(new(key, values));
        }
        return result;
    }

    /// <summary>A sweep or study name: one line of printable text (it appears in messages, reports and folder listings).</summary>
    internal static string OneLineName(YamlNode node, string source)
    {
        string name = Scalar(node, source, "name");
        if (name.Any(char.IsControl))
            throw new SelfSupError($"'{source}' line {node.Start.Line}: name '{ConfigSettings.Shown(name)}' holds a line break or control character; use a one-line name");
        return name;
    }

    /// <summary>A scalar's text; a list or map here is an error naming <paramref name="what"/>.</summary>
    internal static string Scalar(YamlNode node, string source, string what) => node is YamlScalarNode scalar
        ? scalar.Value ?? ""
        : throw new SelfSupError($"'{source}' line {node.Start.Line}: {what} must be a single value here, not a {(node is YamlSequenceNode ? "list" : "map")}");
}
