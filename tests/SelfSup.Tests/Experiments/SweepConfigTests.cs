using SelfSup.Experiments;
using Xunit;

namespace SelfSup.Tests.Experiments;

/// <summary>Sweep files: grid × zip expansion, studies sharing cells, names, overrides, and errors that say what to fix.</summary>
public sealed class SweepConfigTests
{
    private const string Study = """
        name: study
        fixed:
          width: 8
          epochs: 2
          proj-dim: 64        # flag spelling is accepted
        grid:
          seed: [0, 1]
        readout:
          probe_epochs: 7
          knn: false
        studies:
          - name: projector
            grid:
              proj_dim: [16, 64]
              beta: [0.0004, auto]
          - name: fraction
            zip:
              views: [2, 4]
              fraction: [1, 0.5]
        """;

    [Fact]
    public void A_cells_precision_is_a_setting_like_any_other_and_a_bad_one_is_refused()
    {
        var cells = SweepConfig.Parse("name: p\nfixed:\n  width: 16\ngrid:\n  precision: [fp32, bf16]\n", "test").Expand();
        Assert.Equal(["bf16", "fp32"], cells.Select(c => c.Config.Precision).Order());
        var e = Assert.Throws<SelfSupError>(() => SweepConfig.Parse("name: p\nfixed:\n  precision: fp8\n", "test").Expand());
        Assert.Contains("fp8", e.Message);
    }

    [Fact]
    public void GridTimesZipExpandsAndIdenticalCellsAreMerged()
    {
        var cells = SweepConfig.Parse(Study, "test").Expand();
        // projector 2 × 2 × 2 seeds = 8; fraction 2 × 2 seeds = 4; (d=64, auto, M=2, f=1) is in both → 10
        Assert.Equal(10, cells.Count);
        var shared = cells.Where(c => c.Studies.Count == 2).ToList();
        Assert.Equal(2, shared.Count);
        Assert.All(shared, c => Assert.Equal(["projector", "fraction"], c.Studies));
        Assert.All(shared, c => { Assert.Equal(64, c.Config.ProjDim); Assert.Equal("auto", c.Config.Beta); Assert.Equal(2, c.Config.Views); });
        Assert.Contains(cells, c => c.Name == "d16_beta-0.0004_M2_f1_seed1" && c.Config.Beta == "0.0004" && c.Config.Seed == 1);
        Assert.Contains(cells, c => c.Name == "d64_beta-auto_M4_f0.5_seed0" && c.Config.Fraction == 0.5 && c.Config.Views == 4);
        Assert.All(cells, c => { Assert.Equal(8, c.Config.Width); Assert.Equal(2, c.Config.Epochs); });
        Assert.Equal(cells.Count, cells.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void ReadoutAndOverridesAreApplied()
    {
        var sweep = SweepConfig.Parse(Study, "test", ConfigSettings.ParseOverrides(["epochs=1", "--time-budget=3"]));
        Assert.Equal(new ReadoutSettings(7, 1, false), sweep.Readout);
        Assert.All(sweep.Expand(), c => { Assert.Equal(1, c.Config.Epochs); Assert.Equal(3, c.Config.TimeBudgetMinutes); });
    }

    [Fact]
    public void ASingleGridWithoutStudiesWorks()
    {
        var cells = SweepConfig.Parse("grid:\n  method: [bt, vicreg]\n  views: 4\n", "test").Expand();
        Assert.Equal(["bt", "vicreg"], cells.Select(c => c.Name));
        Assert.All(cells, c => Assert.Equal(4, c.Config.Views));
        Assert.Equal("run", Assert.Single(SweepConfig.Parse("fixed: {epochs: 1}", "test").Expand()).Name);
    }

    [Theory]
    [InlineData("grid:\n  proj_dimm: [16]\n", "unknown setting 'proj_dimm'")]
    [InlineData("zip:\n  views: [2, 4]\n  fraction: [1]\n", "zip lists must have one length")]
    [InlineData("grid:\n  beta: [fast]\n", "beta")]
    [InlineData("grid:\n  views: [1]\n", "`views` 1")]
    [InlineData("fixed:\n  epochs: many\n", "epochs must be a number")]
    [InlineData("grids:\n  views: [2]\n", "unknown top-level key 'grids'")]
    [InlineData("grid: [1, 2\n", "not valid YAML")]
    public void BadFilesFailWithAMessageNamingTheProblem(string yaml, string expected)
    {
        var e = Assert.Throws<SelfSupError>(() => SweepConfig.Parse(yaml, "bad.yaml"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void EveryPresetParses()
    {
        Assert.Equal(30, SweepConfig.Parse(ReproducePresets.Yaml("fashion-mnist-small"), "preset").Expand().Count);   // 10 cells × 3 seeds
        foreach (var name in ReproducePresets.Names)
        {
            var cells = SweepConfig.Parse(ReproducePresets.Yaml(name), name).Expand();
            Assert.Contains(cells, c => c.Studies.Contains("projector"));
            Assert.Contains(cells, c => c.Studies.Contains("views"));
            Assert.Contains(cells, c => c.Studies.Contains("fraction"));
            // M × fraction is constant across the fraction study
            var products = cells.Where(c => c.Studies.Contains("fraction")).Select(c => c.Config.Views * c.Config.Fraction).Distinct().ToList();
            Assert.Single(products);
        }
        Assert.Throws<SelfSupError>(() => ReproducePresets.Yaml("mnist"));
    }
}
