namespace SelfSup.Experiments;

/// <summary>
/// The paper's study as sweep files (<see cref="SweepConfig"/>): a projector sweep (d × {fixed β, β = c/d}),
/// views M ∈ {2, 4, 8} at equal epochs, and the data-fraction study with M × fraction constant.
/// <c>selfsup reproduce --preset NAME --out DIR</c> writes the preset to DIR/sweep.yaml, runs it, and
/// ends with the report.
/// </summary>
public static class ReproducePresets
{
    public static readonly string[] Names = ["fashion-mnist-small", "cifar10", "stl10", "imagenet100"];

    /// <summary>Cells run side by side by default (1 thread each on a 2-core CPU; 1 on a GPU).</summary>
    public static int DefaultParallel(string name) => name == "fashion-mnist-small" ? 2 : 1;

    public static string Yaml(string name) => name switch
    {
        "fashion-mnist-small" => FashionMnistSmall,
        "cifar10" => Paper("cifar10", "cifar10", "data/cifar10", beta: "0.0004", model: "resnet18", epochs: 100),
        "stl10" => Paper("stl10", "stl10", "data/stl10", beta: "0.0004", model: "resnet18", epochs: 100),
        "imagenet100" => Paper("imagenet100", "imagefolder", "data/imagenet", beta: "0.001", model: "resnet50", epochs: 100,
            extra: "  class_list: imagenet100.txt   # the 100 class folder names, one per line\n"),
        _ => throw new SelfSupError($"unknown `preset` '{name}'; use one of: {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// The paper's claims on Fashion-MNIST with three seeds per cell, in at most 60 minutes on 2 CPU cores (two cells at
    /// a time, 1 thread each).
    /// <para>Budget. Two 1-thread width-8 cells together pretrain ≈ 800 views/s, ≈ 400 each. The pool is a seeded 10 %
    /// of the training set (6 000 images; it was 25 % with one seed) and every run trains 3 epochs, so a run costs
    /// 3 × 6 000 × M × (fraction / 0.1) views: projector d ∈ {16, 64, 256} × {β = 0.0004, β = 4/d} 6 × 36 k = 216 k;
    /// views M = 4 on the pool 72 k; fraction M = 4 on half the pool 36 k (M = 2 on the pool is the shared d = 64,
    /// β = 4/d cell): 324 k views a seed, 972 k for three ≈ 20 min on the two workers. M = 8 and d = 1024 are left out
    /// to pay for the seeds: the claims are about M = 4 against M = 2 and small d. Periodic evaluation every epoch on
    /// 2 000 train + 10 000 test images with a 10-epoch probe, ≈ 5 s × 72 ≈ 3 min on two workers; the final readout
    /// (60 000 + 10 000 images, 30-epoch probe) ≈ 35 s × 24 ≈ 7 min. Expected total ≈ 32 min (measured from a fresh clone
    /// on 2026-12-04: 11 min 13 s; the rates above are cautious). A time budget per run
    /// (M = 2: 3 min, M = 4: 5 min of pretraining, ≈ 2× the expected 1.5 / 3 min) bounds the pretraining part on a
    /// slower machine; a run cut short is marked stopped_by = time-budget in its summary.</para>
    /// <para>The fraction study's "100 %" is the pool: M = 2 on 0.1 and M = 4 on 0.05 of Fashion-MNIST keep M × fraction
    /// constant as the paper's M = 2 on 100 % and M = 4 on 50 %.</para>
    /// <para>The multi-crop study gives 4 full-size views and 2 full-size + 4 small crops (14 px, a quarter of the pixels
    /// each) the same 1.5 minutes of pretraining, two cells side by side: 6 runs × (1.5 min + ≈ 35 s of readout) on two
    /// workers ≈ 6 min more.</para>
    /// </summary>
    public const string FashionMnistSmall = """
        # SelfSup reproduction, small: the paper's claims on Fashion-MNIST, 3 seeds per cell, <= 60 min on 2 CPU cores.
        # Budget: see ReproducePresets.FashionMnistSmall in the source. Run: selfsup reproduce --preset fashion-mnist-small --out DIR
        name: fashion-mnist-small
        fixed:
          dataset: fashion-mnist
          model: resnet18
          width: 8
          method: bt
          proj_dim: 64
          beta: auto
          beta_c: 4
          views: 2
          fraction: 0.1           # the study pool: 6 000 seeded training images count as "100 %"
          epochs: 3
          batch_size: 256
          lr: 0.001
          eval_every: 1
          eval_probe_epochs: 10
          eval_images: 2000
          time_budget: 3          # minutes; a safety cap (about twice the expected time of an M = 2 run)
        grid:
          seed: [0, 1, 2]
        readout:
          probe_epochs: 30
          average_views: 1
          knn: true
        studies:
          - name: projector       # paper Fig. 2: accuracy vs d, fixed beta vs beta = c/d
            grid:
              proj_dim: [16, 64, 256]
              beta: [0.0004, auto]
          - name: views           # paper Fig. 3: M = 2, 4 at equal epochs
            zip:
              views: [2, 4]
              time_budget: [3, 5]
          - name: fraction        # paper Fig. 4: M x fraction constant (M=2 on 100 %, M=4 on 50 % of the pool)
            zip:
              views: [2, 4]
              fraction: [0.1, 0.05]
          - name: multicrop       # paper appendix: 4 full-size views against 2 full-size + 4 small crops (14 px) at equal wall-clock
            fixed:
              epochs: 30          # the time budget ends both first
              time_budget: 1.5
              eval_every: 0
            zip:
              views: [4, 2]
              small_crops: [0, 4]
        """;

    private static string Paper(string name, string dataset, string dataDir, string beta, string model, int epochs, string extra = "") => $"""
        # SelfSup reproduction at the paper's protocol on {name} (for a machine with a GPU; days on a CPU).
        # ResNet ({model}, CIFAR stem, width 64), Adam 1e-3, wd 1e-6, {epochs} epochs; linear probe 200 epochs,
        # features averaged over 16 views; three seeds per cell. Run: selfsup reproduce --preset {name} --out DIR
        # (override any setting with --set KEY=VALUE, e.g. --set data_dir=/data/{name} --set device=cuda).
        name: {name}
        fixed:
          dataset: {dataset}
          data_dir: {dataDir}
        {extra}  model: {model}
          width: 64
          method: bt
          proj_dim: 64
          beta: auto
          beta_c: 4
          views: 2
          fraction: 1
          epochs: {epochs}
          batch_size: 128
          optimizer: adam
          lr: 0.001
          weight_decay: 0.000001
          device: cuda
          eval_every: 5
          eval_probe_epochs: 20
          eval_images: 10000
        grid:
          seed: [0, 1, 2]
        readout:
          probe_epochs: 200
          average_views: 16
          knn: true
        studies:
          - name: projector       # Fig. 2: batch 512 images, d from 64 to 8192, fixed beta vs beta = c/d
            fixed:
              batch_size: 512
            grid:
              proj_dim: [64, 128, 256, 512, 1024, 2048, 4096, 8192]
              beta: [{beta}, auto]
          - name: views           # Fig. 3: 128 images x M views
            grid:
              views: [2, 4, 8]
          - name: fraction        # Fig. 4: M x fraction = 2
            zip:
              views: [2, 4, 8]
              fraction: [1, 0.5, 0.25]
        """;
}
