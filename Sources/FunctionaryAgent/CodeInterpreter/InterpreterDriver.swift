/// The Python program that runs in the interpreter process (written to its private folder at start).
///
/// It reads length-framed JSON requests (`<length>\n<json>`) from its original stdin and answers on its
/// original stdout; the cells' own stdin is /dev/null and their stdout/stderr go to capture files
/// (so output of subprocesses is captured too). It applies the memory, file-size and per-cell CPU limits
/// with `resource.setrlimit`, and the process-count limit (`RLIMIT_NPROC`, counted in the sandbox's user
/// namespace, or over all processes of the user without one), drops every capability when it runs as
/// root (so that it cannot read the non-dumpable host's `/proc/<pid>/environ`) and sets `no_new_privs`,
/// raises `TimeoutError` in a cell that passes its time limit (SIGALRM), and maps `/mnt/data` in code to
/// the data folder (and back in output). The data folder comes last on `sys.path`: a `json.py` written
/// there cannot replace a standard module. A process forked by a cell never answers the host.
enum InterpreterDriver {
    static let source = #"""
        # Functionary code interpreter driver: runs cells sent by the Swift host in one persistent namespace.
        # Protocol: frames of "<decimal length>\n<UTF-8 JSON>" on the original stdin (requests) and stdout (replies).
        import ast, builtins, ctypes, json, linecache, os, resource, signal, sys, traceback

        PROTO_IN, PROTO_OUT = os.dup(0), os.dup(1)
        _null = os.open(os.devnull, os.O_RDWR)
        for _fd in (0, 1, 2):
            os.dup2(_null, _fd)
        try:
            os.setsid()
        except OSError:
            pass
        # The host may have started us with signals blocked (the mask is inherited): unblock them all.
        signal.pthread_sigmask(signal.SIG_SETMASK, [])

        os.environ.pop("PWD", None)  # set by bubblewrap's --chdir: the environment is exactly what the host gave
        DATA_DIR, PRIVATE_DIR = sys.argv[1], sys.argv[2]
        CONFIG = json.loads(sys.argv[3])
        # Output captures: the private folder, or (in a sandbox, where that folder is read-only) a folder
        # on the sandbox's own /tmp.
        CAPTURES = CONFIG.get("captures") or PRIVATE_DIR
        os.makedirs(CAPTURES, mode=0o700, exist_ok=True)
        MOUNT = "/mnt/data"
        DRIVER = os.path.abspath(__file__)
        warnings = []


        def set_limit(which, name, value):
            if value is None:
                return
            try:
                soft, hard = resource.getrlimit(which)
                if hard != resource.RLIM_INFINITY and value > hard:
                    value = hard
                resource.setrlimit(which, (value, value))
            except (ValueError, OSError) as error:
                warnings.append("could not set %s: %s" % (name, error))


        set_limit(resource.RLIMIT_AS, "the memory limit", CONFIG.get("memory"))
        set_limit(resource.RLIMIT_FSIZE, "the file size limit", CONFIG.get("file_size"))
        set_limit(resource.RLIMIT_CORE, "the core size limit", 0)
        MAIN_PID = os.getpid()


        def user_tasks():
            # Processes and threads of this user on the host (RLIMIT_NPROC counts them all without a namespace).
            uid, count = os.getuid(), 0
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open("/proc/%s/status" % entry) as status:
                        fields = dict(line.split(":", 1) for line in status if ":" in line)
                    if int(fields["Uid"].split()[0]) == uid:
                        count += int(fields["Threads"])
                except (OSError, KeyError, ValueError):
                    pass
            return count


        if CONFIG.get("processes") is not None:
            extra = user_tasks() if CONFIG.get("process_scope") == "user" and os.path.isdir("/proc") else 0
            set_limit(resource.RLIMIT_NPROC, "the process limit", int(CONFIG["processes"]) + extra)


        def drop_privileges():
            # Root keeps no capability (CAP_SYS_PTRACE would read the host's environment, CAP_SYS_ADMIN
            # remount); no program started later can gain privileges (setuid binaries).
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
                if os.geteuid() != 0:
                    return
                for cap in range(64):
                    libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP
                header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
                data = (ctypes.c_uint32 * 6)()
                if libc.capset(header, data) != 0:
                    warnings.append("could not drop capabilities: %s" % os.strerror(ctypes.get_errno()))
            except (OSError, AttributeError) as error:
                warnings.append("could not drop privileges: %s" % error)


        if sys.platform.startswith("linux"):
            drop_privileges()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing past the limit fails with OSError instead of killing

        state = {"in_cell": False, "limit": 0, "cpu": None}


        def on_alarm(signum, frame):
            if state["in_cell"]:
                raise TimeoutError("the cell exceeded its time limit of %g s" % state["limit"])


        def on_cpu(signum, frame):
            if state["in_cell"]:
                raise TimeoutError("the cell exceeded its CPU time limit of %g s" % state["cpu"])


        def on_interrupt(signum, frame):
            if state["in_cell"]:
                raise KeyboardInterrupt("the cell was interrupted")


        signal.signal(signal.SIGALRM, on_alarm)
        signal.signal(signal.SIGXCPU, on_cpu)
        signal.signal(signal.SIGINT, on_interrupt)

        os.chdir(DATA_DIR)
        # Modules written to the data folder can be imported, but never in place of installed ones.
        sys.path = [p for p in sys.path if p not in ("", ".", DATA_DIR, os.path.dirname(DRIVER))] + [DATA_DIR]
        namespace = {"__name__": "__main__", "__builtins__": builtins}


        def read_exact(count):
            chunks = []
            while count > 0:
                chunk = os.read(PROTO_IN, min(count, 1 << 20))
                if not chunk:
                    return None
                chunks.append(chunk)
                count -= len(chunk)
            return b"".join(chunks)


        def read_frame():
            header = b""
            while not header.endswith(b"\n"):
                byte = os.read(PROTO_IN, 1)
                if not byte or len(header) > 20:
                    return None
                header += byte
            body = read_exact(int(header))
            return None if body is None else json.loads(body.decode("utf-8"))


        def write_frame(obj):
            data = json.dumps(obj, ensure_ascii=False).encode("utf-8", "replace")
            data = b"%d\n" % len(data) + data
            while data:
                data = data[os.write(PROTO_OUT, data):]


        def to_host(code):
            return code.replace(MOUNT, DATA_DIR) if DATA_DIR != MOUNT else code


        def to_model(text):
            return text.replace(DATA_DIR, MOUNT) if DATA_DIR != MOUNT else text


        def shorten(text, limit):
            if len(text) <= limit:
                return text
            head, tail = text[: limit * 3 // 4], text[len(text) - limit // 4:]
            omitted = len(text) - len(head) - len(tail)
            return "%s\n[... %d characters omitted ...]\n%s" % (head, omitted, tail)


        def read_capture(path, limit):
            size = os.path.getsize(path)
            with open(path, "rb") as handle:
                if size <= limit * 4:
                    return shorten(handle.read().decode("utf-8", "replace"), limit)
                head = handle.read(limit * 3).decode("utf-8", "replace")[: limit * 3 // 4]
                handle.seek(size - limit)
                tail = handle.read().decode("utf-8", "replace")[-(limit // 4):]
                omitted = size - len(head.encode("utf-8")) - len(tail.encode("utf-8"))
                return "%s\n[... about %d bytes omitted ...]\n%s" % (head, omitted, tail)


        def format_error(error):
            frames = [f for f in traceback.extract_tb(error.__traceback__) if os.path.abspath(f.filename) != DRIVER]
            lines = ["Traceback (most recent call last):\n"] + traceback.format_list(frames) if frames else []
            return "".join(lines + traceback.format_exception_only(type(error), error)).rstrip("\n")


        def set_cpu_limit(seconds):
            try:
                soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
                if seconds is None:
                    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
                    return
                usage = resource.getrusage(resource.RUSAGE_SELF)
                value = int(usage.ru_utime + usage.ru_stime + seconds) + 1
                if hard != resource.RLIM_INFINITY:
                    value = min(value, hard)
                resource.setrlimit(resource.RLIMIT_CPU, (value, hard))
            except (ValueError, OSError):
                pass


        def end_leftovers():
            # Processes a cell started end with the cell, so that none runs on past its budget (RLIMIT_CPU counts each
            # process's own time). In the sandbox: every process of the PID namespace but this one and its ancestors;
            # without it: the processes of this session (one that left the session survives unless a cgroup ends it).
            me = os.getpid()
            keep, pid = {me}, me
            while pid > 1:
                try:
                    with open("/proc/%d/stat" % pid) as stat:
                        pid = int(stat.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    break
                keep.add(pid)
            try:
                entries = os.listdir("/proc")
            except OSError:
                return
            session = os.getsid(0)
            if not CONFIG.get("sandboxed") and session != me:
                return  # not the leader of a session of its own: nothing here is known to be the cell's
            for entry in entries:
                if not entry.isdigit() or int(entry) in keep:
                    continue
                try:
                    if CONFIG.get("sandboxed") or os.getsid(int(entry)) == session:
                        os.kill(int(entry), signal.SIGKILL)
                except OSError:
                    pass
            while True:
                try:
                    if os.waitpid(-1, os.WNOHANG)[0] == 0:
                        break
                except ChildProcessError:
                    break


        def flush_streams():
            for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
                try:
                    stream.flush()
                except Exception:
                    pass


        def run_cell(request, number):
            code = to_host(request["code"])
            limit = float(request.get("time_limit", 60))
            cpu = request.get("cpu_limit")
            max_output = int(request.get("max_output", 20000))
            paths = [os.path.join(CAPTURES, name) for name in ("stdout", "stderr")]
            flush_streams()
            for fd, path in zip((1, 2), paths):
                capture = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(capture, fd)
                os.close(capture)
            result = error = None
            name = "<cell-%d>" % number
            linecache.cache[name] = (len(code), None, code.splitlines(True), name)
            try:
                tree = ast.parse(code, name, "exec")
                last = None
                if tree.body and isinstance(tree.body[-1], ast.Expr):
                    last = compile(ast.Expression(tree.body.pop().value), name, "eval")
                body = compile(tree, name, "exec")
                state.update(in_cell=True, limit=limit, cpu=cpu)
                set_cpu_limit(cpu)
                signal.setitimer(signal.ITIMER_REAL, limit)
                try:
                    exec(body, namespace)
                    if last is not None:
                        value = eval(last, namespace)
                        if value is not None:
                            namespace["_"] = value
                            result = shorten(to_model(repr(value)), max_output)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    state["in_cell"] = False
                    # The CPU limit is not raised again: a process the cell started keeps the cell's budget (and
                    # is ended below anyway); the next cell sets its own.
            except BaseException as caught:  # the cell's own errors, SystemExit and interrupts included
                state["in_cell"] = False
                try:
                    error = shorten(to_model(format_error(caught)), max_output)
                except BaseException as failure:
                    error = "%s (and formatting its traceback failed: %r)" % (type(caught).__name__, failure)
            flush_streams()
            end_leftovers()
            for fd in (1, 2):
                os.dup2(_null, fd)
            stdout, stderr = (shorten(to_model(read_capture(path, max_output)), max_output + 100) for path in paths)
            return {"stdout": stdout, "stderr": stderr, "result": result, "error": error}


        process_limit = CONFIG.get("processes") is not None and os.geteuid() != 0
        write_frame({"ready": True, "python": sys.version.split()[0], "warnings": warnings, "process_limit": process_limit})
        number = 0
        while True:
            try:
                request = read_frame()
            except KeyboardInterrupt:
                continue
            if request is None:
                break
            number += 1
            # The reply echoes the cell's nonce: a frame a cell forged on the reply pipe cannot pass for the reply of
            # this cell or of a later one (the host refuses a reply without the nonce it sent).
            nonce = request.pop("nonce", None)
            reply = run_cell(request, number)
            if os.getpid() != MAIN_PID:
                os._exit(0)  # a process the cell forked, back here: only the interpreter answers
            reply["nonce"] = nonce
            write_frame(reply)
        """#
}
