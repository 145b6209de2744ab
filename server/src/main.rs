#[global_allocator]
static ALLOCATOR: modcache::allocator::Allocator = modcache::allocator::Allocator;

fn main() -> std::process::ExitCode {
    // SAFETY: this is the first statement of `main`; no tree-sitter object exists yet.
    unsafe { modcache::allocator::set_up() };
    modcache::cli::run()
}
