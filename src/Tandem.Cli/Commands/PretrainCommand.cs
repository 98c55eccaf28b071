using System.CommandLine;
using Tandem.Cli.Infrastructure;
using Tandem.Training;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem pretrain --config FILE [--set key.path=value]... [--resume]</c>: <c>tandem train</c> with
/// <c>objective.type</c> mlm (masked-LM pre-training of a BERT or RoBERTa, the default) or clm (causal-LM pre-training of a GPT-2).</summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var (config, set, resume) = TrainCommand.Options("pre-training config (.json, .yaml): objective (type mlm or clm), model.encoder (mlm) or model.decoder (clm), model.tokenizer, text data splits",
            "objective.block_size=256");
        var command = new Command("pretrain", "Pre-train a BERT or RoBERTa as a masked language model (objective.type mlm, the default: BertForMaskedLM / RobertaForMaskedLM checkpoints) or a GPT-2 as a causal one (clm: GPT2LMHeadModel checkpoints)") { config, set, resume };
        command.SetHandler(parse =>
            TrainCommand.Run(TrainConfigLoader.LoadPretraining(parse.GetValue(config)!.FullName, parse.GetValue(set)), parse.GetValue(resume)));
        return command;
    }
}
