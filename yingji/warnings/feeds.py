"""Public Atom feeds of current warnings (RFC 4287): one for people (HTML summaries), one linking each CAP document.

Entry ids are the absolute address of the entry's CAP document, which never changes once published; every link and
enclosure is absolute, and each entry names the bureau that issued it.
"""

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.translation import gettext_lazy as _

from yingji.warnings.selectors import public_current_warnings
from yingji.warnings.services import sender_name


class CurrentWarningsFeed(Feed):
    feed_type = Atom1Feed
    title = _("当前生效的预警信息")
    subtitle = _("应急管理局发布的预警，按发布时间倒序")

    def link(self):
        return reverse("warnings:public_list")

    def author_name(self):
        return settings.PLATFORM_NAME

    def items(self):
        return public_current_warnings()[:200]

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return f"{item.get_level_display()} {item.description}\n{item.instructions}"

    def item_link(self, item):
        return reverse("warnings:public_document", args=[item.identifier])

    def item_author_name(self, item):
        return sender_name(item.region)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Django makes links absolute but leaves enclosures as given; a feed reader needs them absolute too.
        domain, secure = get_current_site(request).domain, request.is_secure()
        for entry in feed.items:
            entry["enclosures"] = [Enclosure(add_domain(domain, e.url, secure), e.length, e.mime_type)
                                   for e in entry["enclosures"]]
        return feed


class CapFeed(CurrentWarningsFeed):
    """The CAP index feed: each entry's link is the CAP 1.2 document itself (as alert hubs expect)."""

    title = _("当前生效的预警信息（CAP 1.2）")

    def item_enclosure_url(self, item):
        return self.item_link(item)

    def item_enclosure_mime_type(self, item):
        return "application/cap+xml"

    def item_enclosure_length(self, item):
        return len(item.cap_xml.encode("utf-8"))
