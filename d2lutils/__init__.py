"""d2lutils: the utility package of the book, imported in every section as ``d2l``.

Public names follow the d2l book's API so that what readers know carries over.
Importing touches neither the disk nor the network.
"""

from .checkpoint import load_checkpoint, save_checkpoint
from .compute import matmul_gflops, training_flops
from .data import (
    DataFileError,
    TensorLoader,
    get_fashion_mnist_labels,
    load_array,
    load_data_fashion_mnist,
    quick_mode_subset,
    read_fashion_mnist,
    synthetic_data,
)
from .device import num_gpus, try_all_gpus, try_gpu, use_mixed_precision
from .distributed import (
    allreduce_grads,
    ring_allreduce,
    run_processes,
    save_on_rank0,
    setup_from_env,
    split_batch,
    train_data_parallel,
    train_ddp,
)
from .doctor import doctor
from .figures import (
    Diagram,
    FigureError,
    draw_autograd,
    draw_bn_axes,
    draw_conv1x1,
    draw_copy_to_device,
    draw_corr2d,
    draw_corr2d_multi_in,
    draw_flow,
    draw_modules,
    draw_net,
    draw_nets,
    draw_neurons,
    draw_pool2d,
    draw_rnn_cell,
    draw_rnn_unrolled,
)
from .house_prices import (
    find_kaggle_house_prices,
    house_prices_test_labels,
    load_house_prices,
    read_ames,
    read_kaggle_csv,
    save_submission,
    split_house_prices,
)
from .models import Residual, corr2d, linreg, sgd, squared_loss
from .modes import is_quick, limit_epochs, mode_name
from .plot import (
    Animator,
    in_notebook,
    plot,
    set_axes,
    set_figsize,
    show_figure,
    show_images,
    use_svg_display,
    where_figures_show,
)
from .progress import Progress, format_seconds
from .rnn import (
    PerplexityResult,
    RNNModel,
    RNNModelScratch,
    evaluate_perplexity,
    grad_clipping,
    predict_ch8,
    train_ch8,
    train_epoch_ch8,
)
from .settings import Settings, choose_settings
from .text import (
    Poem,
    SeqDataLoader,
    Vocab,
    count_corpus,
    find_poem_corpus,
    load_corpus_poems,
    load_data_poems,
    poem_lines,
    read_poems,
    seq_data_iter_random,
    seq_data_iter_sequential,
    split_poems,
    tokenize,
)
from .timing import synchronize, time_in_turns
from .train import (
    Accumulator,
    Timer,
    TrainResult,
    accuracy,
    conv_memory_format,
    evaluate_accuracy,
    evaluate_accuracy_gpu,
    evaluate_loss,
    predict_ch3,
    train_ch3,
    train_ch6,
    train_epoch_ch3,
)
from .tuning import lr_range_test

__all__ = [
    "Accumulator", "Animator", "DataFileError", "TensorLoader", "Timer", "TrainResult",
    "Diagram", "FigureError", "draw_autograd", "draw_bn_axes", "draw_conv1x1",
    "draw_copy_to_device", "draw_corr2d", "draw_corr2d_multi_in", "draw_flow", "draw_modules",
    "draw_net", "draw_nets", "draw_neurons", "draw_pool2d", "draw_rnn_cell", "draw_rnn_unrolled",
    "accuracy", "conv_memory_format", "corr2d", "evaluate_accuracy", "evaluate_accuracy_gpu",
    "evaluate_loss",
    "get_fashion_mnist_labels", "is_quick", "limit_epochs", "linreg", "load_array",
    "load_checkpoint", "load_data_fashion_mnist", "mode_name", "num_gpus", "plot", "predict_ch3",
    "quick_mode_subset", "read_fashion_mnist", "save_checkpoint", "set_axes", "set_figsize",
    "sgd", "show_images",
    "squared_loss",
    "synthetic_data", "train_ch3", "train_ch6", "train_epoch_ch3", "try_all_gpus", "try_gpu",
    "use_svg_display",
    "find_kaggle_house_prices", "house_prices_test_labels", "load_house_prices",
    "read_ames", "read_kaggle_csv", "save_submission", "split_house_prices",
    "Progress", "Residual", "Settings", "choose_settings", "format_seconds", "in_notebook",
    "use_mixed_precision", "lr_range_test",
    "show_figure", "where_figures_show", "doctor", "matmul_gflops", "training_flops",
    "Poem", "SeqDataLoader", "Vocab", "count_corpus", "find_poem_corpus", "load_corpus_poems",
    "load_data_poems", "poem_lines", "read_poems", "seq_data_iter_random",
    "seq_data_iter_sequential", "split_poems", "tokenize",
    "PerplexityResult", "RNNModel", "RNNModelScratch", "evaluate_perplexity", "grad_clipping",
    "predict_ch8", "train_ch8", "train_epoch_ch8",
    "allreduce_grads", "ring_allreduce", "run_processes", "save_on_rank0",
    "setup_from_env", "split_batch", "train_data_parallel", "train_ddp",
    "synchronize", "time_in_turns",
]
