using System.Text.Json;
using System.Text.Json.Nodes;

namespace SelfSup.Training;

/// <summary>
/// Which settings a resume may change. Those that do not change the maths of training — how long it runs,
/// where, how often it logs, evaluates and checkpoints — are <see cref="Honoured"/>; any other setting given on the
/// command line with a value different from the run's saved one is refused (naming the key, the saved and the new
/// value) unless forced, because the resumed run would no longer be the run its folder describes.
/// </summary>
public static class ResumeSettings
{
    /// <summary>config.json keys a resume takes from the command line.</summary>
    public static readonly IReadOnlySet<string> Honoured = new HashSet<string>
    {
        "epochs", "steps", "time_budget_minutes", "threads", "device", "log_every",
        "eval_every", "eval_probe_epochs", "eval_images",
        "checkpoint_every", "checkpoint_minutes", "keep_checkpoints", "collapse_threshold", "collapse_steps",
    };

    /// <summary>
    /// The configuration a resumed run uses: <paramref name="saved"/>, with the values of the keys in
    /// <paramref name="given"/> (settings named on the command line) taken from <paramref name="requested"/>.
    /// </summary>
    /// <exception cref="SelfSupError">A given key outside <see cref="Honoured"/> differs from the saved value and <paramref name="force"/> is false.</exception>
    public static TrainConfig Merge(TrainConfig saved, TrainConfig requested, IEnumerable<string> given, bool force)
    {
        var savedJson = JsonNode.Parse(saved.ToJson())!.AsObject();
        var requestedJson = JsonNode.Parse(requested.ToJson())!.AsObject();
        var keys = given.Distinct().ToList();
        foreach (var key in keys)
        {
            var before = savedJson[key];
            var after = requestedJson[key];
            if (JsonNode.DeepEquals(before, after)) continue;
            if (!Honoured.Contains(key) && !force)
                throw new SelfSupError($"`resume`: `{key}` {Show(after)} would change the run's {key} (saved: {Show(before)}); " +
                    "this changes what is trained, so the run would no longer match its folder. Drop the flag to resume as saved, " +
                    "start a new run in another `out`, or add `force` to resume with the new value anyway");
        }
        return saved.WithSettingsFrom(requested, keys);
    }

    private static string Show(JsonNode? value) => value is null ? "null" : value.ToJsonString();
}
