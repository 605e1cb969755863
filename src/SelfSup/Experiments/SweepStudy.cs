namespace SelfSup.Experiments;

/// <summary>
/// One study of a sweep: settings shared by its cells (<see cref="Fixed"/>), a cartesian <see cref="Grid"/>
/// and lists varied together (<see cref="Zip"/>, all of one length). Cells = grid × zip rows.
/// </summary>
public sealed record SweepStudy(string Name, IReadOnlyDictionary<string, string> Fixed,
    IReadOnlyList<KeyValuePair<string, string[]>> Grid, IReadOnlyList<KeyValuePair<string, string[]>> Zip);
