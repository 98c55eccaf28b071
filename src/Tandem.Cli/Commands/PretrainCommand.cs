using System.CommandLine;
using Tandem.Cli.Infrastructure;
using Tandem.Training;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem pretrain --config FILE [--set key.path=value]... [--resume]</c>: <c>tandem train</c> with
/// <c>objective.type=mlm</c> (masked-LM pre-training of a BERT or RoBERTa).</summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var (config, set, resume) = TrainCommand.Options("pre-training config (.json, .yaml): objective, model.encoder, model.tokenizer, text data splits",
            "objective.block_size=256");
        var command = new Command("pretrain", "pre-train a BERT or RoBERTa as a masked language model (writes BertForMaskedLM / RobertaForMaskedLM checkpoints)") { config, set, resume };
        command.SetHandler(parse =>
        {
            string[] overrides = [$"objective.type={ObjectiveSection.MaskedLM}", .. parse.GetValue(set) ?? []];
            return TrainCommand.Run(TrainConfigLoader.Load(parse.GetValue(config)!.FullName, overrides), parse.GetValue(resume));
        });
        return command;
    }
}
