"""Web UI entry point: `python app.py [--host H] [--port P] [--provider local|openai]`.

Serves on ASSISTANT_UI_HOST:ASSISTANT_UI_PORT (127.0.0.1:7860) unless told otherwise.
"""

from assistant.ui import main

if __name__ == "__main__":
    main()
