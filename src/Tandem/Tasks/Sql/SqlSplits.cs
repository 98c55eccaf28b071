namespace Tandem.Tasks.Sql;

/// <summary>Examples divided into the three sets an experiment uses.</summary>
/// <param name="Train">Examples to train on.</param>
/// <param name="Dev">Examples to watch during training (may be empty).</param>
/// <param name="Test">Examples to report on.</param>
public sealed record SqlSplits(IReadOnlyList<SqlExample> Train, IReadOnlyList<SqlExample> Dev, IReadOnlyList<SqlExample> Test)
{
    /// <summary>
    /// The standard train/dev/test split of the larger text2sql-data datasets (geography, atis, advising, scholar)
    /// and of WikiSQL-style data: each example goes where its <see cref="SqlExample.Split"/> says; <c>exclude</c>
    /// (advising) is dropped. With <paramref name="mergeDevIntoTrain"/>, dev joins train and <see cref="Dev"/> is
    /// empty: that is what upstream does when it reports test results ("for the larger datasets, at test time we
    /// train on both the training and development sets"). Without it (the default) dev is kept apart, e.g. to pick
    /// a checkpoint; GeoQuery's question split then gives 549/49/279.
    /// </summary>
    /// <param name="examples">Examples whose split is <c>train</c>, <c>dev</c>, <c>test</c> or <c>exclude</c>.</param>
    /// <param name="mergeDevIntoTrain">Whether dev examples are trained on.</param>
    public static SqlSplits Standard(IEnumerable<SqlExample> examples, bool mergeDevIntoTrain = false)
    {
        var train = new List<SqlExample>();
        var dev = new List<SqlExample>();
        var test = new List<SqlExample>();
        foreach (var e in examples)
        {
            switch (e.Split)
            {
                case "train": train.Add(e); break;
                case "dev": (mergeDevIntoTrain ? train : dev).Add(e); break;
                case "test": test.Add(e); break;
                case "exclude": break;
                default:
                    throw new TandemException(
                        $"split '{e.Split}' is not train/dev/test; a 10-fold dataset needs SqlSplits.CrossValidation");
            }
        }
        return new SqlSplits(train, dev, test);
    }

    /// <summary>
    /// One round of the 10-fold cross-validation used by the small text2sql-data datasets (restaurants, academic,
    /// imdb, yelp), as upstream runs it: fold <paramref name="testFold"/> is the test set, the other nine folds are
    /// the training set, and there is no dev set. A result for the dataset is the mean over the ten folds.
    /// </summary>
    /// <param name="examples">Examples whose split is a fold number <c>0</c> to <c>9</c>.</param>
    /// <param name="testFold">The fold held out for testing, 0 to 9.</param>
    public static SqlSplits CrossValidation(IEnumerable<SqlExample> examples, int testFold)
    {
        if (testFold is < 0 or > 9)
            throw new TandemException($"fold {testFold} is out of range: folds are 0 to 9");
        var train = new List<SqlExample>();
        var test = new List<SqlExample>();
        string held = testFold.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var e in examples)
        {
            if (e.Split.Length != 1 || e.Split[0] is < '0' or > '9')
                throw new TandemException($"split '{e.Split}' is not a fold 0-9; use SqlSplits.Standard for this dataset");
            (e.Split == held ? test : train).Add(e);
        }
        return new SqlSplits(train, [], test);
    }

    /// <summary>
    /// Cross-validation inside the training pool, for choices that a small dev set cannot settle (GeoQuery's question
    /// split has 49 dev questions, 2 points each): <see cref="Train"/> and <see cref="Dev"/> together are ordered by a
    /// fixed hash of each pair (the same order on every machine and run) and dealt into <paramref name="folds"/> folds;
    /// fold <paramref name="fold"/> becomes <see cref="Dev"/>, the others <see cref="Train"/>. <see cref="Test"/> is
    /// left as it is and never enters a fold.
    /// </summary>
    /// <param name="fold">The fold held out, 0 to <paramref name="folds"/> - 1.</param>
    /// <param name="folds">How many folds, at least 2.</param>
    public SqlSplits HoldOutFold(int fold, int folds)
    {
        if (folds < 2) throw new TandemException($"cross-validation needs at least 2 folds, got {folds}");
        if (fold < 0 || fold >= folds) throw new TandemException($"fold {fold} is out of range: folds are 0 to {folds - 1}");
        var pool = HashOrder(Train.Concat(Dev));
        var held = pool.Where((_, i) => i % folds == fold).ToList();
        var rest = pool.Where((_, i) => i % folds != fold).ToList();
        return new SqlSplits(rest, held, Test);
    }

    /// <summary>
    /// A dev set held out of <paramref name="examples"/> by the fixed hash <see cref="HoldOutFold"/> deals by (the same
    /// pairs on every machine and run): the first <paramref name="fraction"/> of them in hash order, rounded, and at
    /// least one when the fraction is above 0 and two examples or more are given, become <see cref="Dev"/>; the rest
    /// <see cref="Train"/>. <see cref="Test"/> is empty. A fraction of 0 keeps every example for training.
    /// </summary>
    /// <param name="examples">The pairs to divide.</param>
    /// <param name="fraction">The share held out, 0 or more and below 1.</param>
    public static SqlSplits HoldOutFraction(IReadOnlyList<SqlExample> examples, double fraction)
    {
        if (!(fraction >= 0 && fraction < 1)) throw new TandemException($"the dev fraction must be at least 0 and below 1, got {fraction}");
        int dev = fraction == 0 || examples.Count < 2 ? 0 : Math.Clamp((int)Math.Round(fraction * examples.Count), 1, examples.Count - 1);
        var pool = HashOrder(examples);
        return new SqlSplits(pool.Skip(dev).ToList(), pool.Take(dev).ToList(), []);
    }

    /// <summary>The examples ordered by the hash of question and SQL, ties by the question.</summary>
    static List<SqlExample> HashOrder(IEnumerable<SqlExample> examples) =>
        examples.OrderBy(e => StableHash(e.Question + "\n" + e.Sql)).ThenBy(e => e.Question, StringComparer.Ordinal).ToList();

    /// <summary>64-bit FNV-1a over UTF-16 code units: unlike <see cref="string.GetHashCode()"/>, the same in every process.</summary>
    internal static ulong StableHash(string text)
    {
        ulong h = 14695981039346656037;
        foreach (char c in text) h = (h ^ c) * 1099511628211;
        return h;
    }

    /// <summary>
    /// Writes <c>train</c>, <c>dev</c> and <c>test</c> files into <paramref name="dir"/> (created if needed) in the
    /// given format; an empty set still gets its (empty) file.
    /// </summary>
    /// <param name="dir">The output folder.</param>
    /// <param name="format">JSON lines (<c>.jsonl</c>) or TSV (<c>.tsv</c>).</param>
    /// <param name="targetTransform">An optional rewrite of each target, e.g. <see cref="SqlTargetNormalizer.Normalize"/>.</param>
    public void Export(string dir, SqlPairFormat format, Func<string, string>? targetTransform = null)
    {
        Directory.CreateDirectory(dir);
        string ext = format == SqlPairFormat.JsonLines ? ".jsonl" : ".tsv";
        foreach (var (name, set) in new[] { ("train", Train), ("dev", Dev), ("test", Test) })
            SqlPairFiles.Write(Path.Combine(dir, name + ext), set, format, targetTransform);
    }
}
