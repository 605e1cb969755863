using Xunit;

// Tests run one at a time: libtorch's global state (the default random generator that module initialisation
// draws from, the intra-op thread count) is shared by every thread of the process, so a test training in
// parallel with another would see its weights initialised from a shifted stream and lose exact reproducibility.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
