using System.Globalization;
using System.Text.Json.Nodes;
using SelfSup.Experiments;
using Xunit;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Hostile sweep files: numbers replaced by huge, negative, zero, fractional or non-numeric tokens, flipped
/// bytes, truncation. Each must parse to cells whose settings are the numbers written in the file, or fail
/// with a one-line error naming the file.
/// </summary>
public sealed class SweepYamlFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 1000;

    private const string Original = """
        name: fuzz
        fixed:
          epochs: 3
          width: 8
          eval_every: 1
          batch_size: 64
          lr: 0.002
        grid:
          proj_dim: [16, 64]
          beta: [0.0004, auto]
        zip:
          views: [2, 4]
          fraction: [1, 0.5]
        readout:
          probe_epochs: 50
          average_views: 2
          knn: true
        studies:
          - name: seeds
            grid: {seed: [0, 1]}
          - name: small
            fixed: {proj_hidden: 32}

        """;

    [Fact]
    public void MutatedSweepFilesParseToWhatTheySayOrAreRejectedClearly()
    {
        using var dir = new FuzzDir();
        var mutator = new Mutator(71, text: true);
        var run = new FuzzRun("sweep yaml", output);
        var original = System.Text.Encoding.UTF8.GetBytes(Original);
        var crafted = Crafted();
        for (int i = 0; i < crafted.Count + Cases; i++)
        {
            var mutation = i < crafted.Count ? crafted[i] : mutator.Mutate(original);
            string path = dir.File($"case{i}.yaml");
            File.WriteAllBytes(path, mutation.Bytes);
            run.Case(mutation, path, () => Check(SweepConfig.Load(path), File.ReadAllText(path)));
            File.Delete(path);
        }
        run.Finish();
    }

    /// <summary>
    /// Sweep files written by hand to be hostile: a grid of 10^8 cells from a few lines, aliases that nest lists
    /// ("billion laughs"), deeply nested flow collections, huge and non-finite numbers, a NUL in a key.
    /// </summary>
    private static List<Mutation> Crafted()
    {
        Mutation Text(string what, string yaml) => new(System.Text.Encoding.UTF8.GetBytes(yaml), "crafted", what);
        string ten = "[" + string.Join(", ", Enumerable.Range(1, 10)) + "]";
        return
        [
            Text("grid of 10^8 cells", "grid:\n" + string.Join("", new[] { "epochs", "width", "proj_dim", "seed", "eval_every", "log_every", "batch_size", "threads" }.Select(k => $"  {k}: {ten}\n"))),
            Text("aliases nesting lists", "grid:\n  seed: &a [1, 2, 3]\n  epochs: &b [*a, *a, *a]\n  width: [*b, *b, *b]\n"),
            Text("flow lists nested 5000 deep", "grid:\n  seed: " + new string('[', 5000) + new string(']', 5000) + "\n"),
            Text("block maps nested 2000 deep", "fixed:\n" + string.Concat(Enumerable.Range(1, 2000).Select(d => new string(' ', d) + "a:\n"))),
            Text("epochs 1e400", "fixed: {epochs: 1e400}\n"),
            Text("probe_epochs 2.5", "readout: {probe_epochs: 2.5}\n"),
            Text("probe_epochs 1e10", "readout: {probe_epochs: 1e10}\n"),
            Text("knn maybe", "readout: {knn: maybe}\n"),
            Text("lr NaN", "fixed: {lr: .nan}\n"),
            Text("NUL in a key", "fixed: {\"ep\\0ochs\": 1}\n"),
            Text("study name with a line break", "studies:\n  - name: \"a\\nb\"\n    grid: {views: [1]}\n"),
        ];
    }

    /// <summary>
    /// What is wrong with an accepted sweep, judged from an independent read of the YAML: each top-level fixed
    /// number and each readout setting must be the value written; null when right.
    /// </summary>
    private static string? Check(SweepConfig sweep, string text)
    {
        var cells = sweep.Expand();
        if (cells.Count == 0) return "accepted a sweep with no cells";
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return null;
        foreach (var (key, value) in root.Children)
        {
            if (key is not YamlScalarNode { Value: "fixed" or "readout" } section || value is not YamlMappingNode map) continue;
            foreach (var (k, v) in map.Children)
            {
                if (k is not YamlScalarNode { Value: { } name } || v is not YamlScalarNode { Value: { } written }) continue;
                string setting = name.Trim().TrimStart('-').Replace('-', '_').ToLowerInvariant();
                if (section.Value == "readout")
                {
                    var r = sweep.Readout;
                    string? wrong = setting switch
                    {
                        "probe_epochs" => SameInteger(written, r.ProbeEpochs),
                        "average_views" => SameInteger(written, r.AverageViews),
                        "knn" => SameBoolean(written, r.Knn),
                        _ => null,
                    };
                    if (wrong is not null) return "readout " + wrong;
                    continue;
                }
                if (text.Split(name).Length != 2) continue;             // set again in a grid or study: not a fixed value
                foreach (var cell in cells)
                {
                    var json = JsonNode.Parse(cell.Config.ToJson())!.AsObject();
                    if (!json.TryGetPropertyValue(setting, out var node) || node is not JsonValue stored || !double.TryParse(written, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)) continue;
                    if (stored.TryGetValue<long>(out long integer) ? integer != number : stored.TryGetValue<double>(out double d) && d != number)
                        return $"{setting}: '{written}' became {stored.ToJsonString()} in cell {cell.Name}";
                }
            }
        }
        return null;
    }

    private static string? SameBoolean(string written, bool value) => written.Trim().ToLowerInvariant() switch
    {
        "true" or "yes" or "on" when value => null,
        "false" or "no" or "off" when !value => null,
        _ => $"knn '{written}' read as {value}",
    };

    private static string? SameInteger(string written, int value) =>
        long.TryParse(written.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n == value ? null : $"'{written}' read as {value}";
}
