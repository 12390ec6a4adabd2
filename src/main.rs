fn main() {
    std::process::exit(linkage::cli::main());
}
