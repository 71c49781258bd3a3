import DSPrepSupport

/// HF `TrainingArguments` keys (transformers 5.23) that dsprep does not implement. A config
/// written for the HF Trainer loads unchanged: a key that changes nothing on one CPU machine is
/// ignored with a warning naming it; a key whose value would change the training is accepted only
/// at a value dsprep's training already equals, and is an error otherwise. No key is ever ignored
/// silently, and a key HF does not know either is an error (usually a typo).
extension TrainingArguments {
    /// Keys that do not change what is trained: logging and reporting, the hub, data loading,
    /// devices and distribution, precision and memory switches for GPUs, evaluation plumbing.
    static let hfKeysWithoutEffect: Set<String> = [
        "report_to", "run_name", "project", "trackio_space_id", "trackio_bucket_id", "trackio_static_space_id",
        "logging_strategy", "logging_first_step", "log_on_each_node", "logging_nan_inf_filter", "logging_dir",
        "include_num_input_tokens_seen", "log_level", "log_level_replica", "disable_tqdm", "skip_memory_metrics", "debug",
        "push_to_hub", "hub_token", "hub_private_repo", "hub_model_id", "hub_strategy", "hub_always_push", "hub_revision",
        "save_strategy", "save_steps", "save_on_each_node", "enable_jit_checkpoint", "load_best_model_at_end",
        "restore_callback_states_from_checkpoint", "ignore_data_skip", "overwrite_output_dir",
        "dataloader_drop_last", "dataloader_num_workers", "dataloader_pin_memory", "dataloader_persistent_workers",
        "dataloader_prefetch_factor", "dataloader_multiprocessing_context", "dataloader_in_order", "remove_unused_columns",
        "length_column_name", "use_cpu", "no_cuda", "local_rank", "accelerator_config", "parallelism_config",
        "ddp_find_unused_parameters", "ddp_bucket_cap_mb", "ddp_broadcast_buffers", "ddp_static_graph", "ddp_backend",
        "ddp_timeout", "fsdp", "fsdp_config", "deepspeed", "average_tokens_across_devices", "optim_target_modules",
        "tf32", "bf16_full_eval", "fp16_full_eval", "torch_compile", "torch_compile_backend", "torch_compile_mode",
        "use_liger_kernel", "liger_kernel_config", "use_cache", "torch_empty_cache_steps", "auto_find_batch_size",
        "gradient_checkpointing", "gradient_checkpointing_kwargs", "activation_checkpointing", "activation_checkpointing_kwargs",
        "eval_delay", "prediction_loss_only", "eval_on_start", "eval_do_concat_batches", "eval_use_gather_object",
        "eval_accumulation_steps", "include_for_metrics", "batch_eval_metrics", "full_determinism", "data_seed",
        "do_train", "do_eval", "do_predict",
    ]

    /// Keys that change training, with the values at which dsprep trains exactly as HF would.
    static let hfKeysAtDefault: [String: (accepted: Set<String>, meaning: String)] = [
        "optim": (["adamw_torch", "adamw_torch_fused", "adamw_hf", "adamw"], "dsprep's optimizer is AdamW"),
        "optim_args": (["", "null", "none", "~"], "dsprep's AdamW takes no extra arguments"),
        "label_smoothing_factor": (["0", "0.0", "null", "none", "~"], "dsprep does not smooth labels"),
        "neftune_noise_alpha": (["null", "none", "~", ""], "dsprep adds no embedding noise"),
        "label_names": (["labels"], "dsprep reads labels from the `labels` column"),
        "train_sampling_strategy": (["group_by_length"], "dsprep always groups batches by length"),
        "group_by_length": (["true", "yes", "1"], "dsprep always groups batches by length"),
        "fp16": (["false", "no", "0"], "dsprep trains in float32"),
        "bf16": (["false", "no", "0"], "dsprep trains in float32"),
    ]

    /// Whether `name` (with underscores) is a setting or an HF `TrainingArguments` key.
    public static func knows(_ name: String) -> Bool {
        setting(named: name) != nil || hfKeysWithoutEffect.contains(name) || hfKeysAtDefault[name] != nil
    }

    static func hfSetting(_ key: String, _ value: String, at location: SourceLocation?) throws -> String? {
        if hfKeysWithoutEffect.contains(key) {
            return "ignoring \(key): it changes nothing in dsprep's training" + (location.map { " (\($0))" } ?? "")
        }
        if let rule = hfKeysAtDefault[key] {
            guard rule.accepted.contains(value.lowercased()) else {
                throw InputError("\(key) \"\(value)\" is not supported: \(rule.meaning)", at: location,
                                 hint: "remove the key, or set it to \(rule.accepted.sorted().first { !$0.isEmpty } ?? "its default")")
            }
            return nil
        }
        throw InputError("unknown setting \"\(key)\"", at: location,
                         hint: "see `dsprep train --help` for the settings (YAML keys are the flag names with underscores; HF TrainingArguments keys work too)")
    }
}
