// The program of the layer checks (CMakeLists.txt, ds_layer_check_*): it does nothing; it is
// linked from every object file of one folder's library and only the libraries below it, so
// a call from that folder into a folder above it is an undefined symbol.
int main() { return 0; }
